import Foundation

extension APIConfiguration {
    /// Reads the configuration from environment variables:
    ///
    /// - `API_HOST` (default `127.0.0.1`), `API_PORT` (default `8080`)
    /// - `API_MAX_BODY_BYTES` (default 1 MiB)
    /// - `JWT_HS256_SECRET`, `JWT_JWKS_FILE` (either enables JWTs), `JWT_ISSUER`, `JWT_AUDIENCE`,
    ///   `JWT_AUTO_PROVISION` (`true`/`false`)
    ///
    /// Errors name the variable and never repeat a secret's value.
    public static func fromEnvironment(_ env: [String: String]) throws -> APIConfiguration {
        var configuration = APIConfiguration()
        if let host = nonEmpty(env["API_HOST"]) { configuration.hostname = host }
        if let port = try integer(env, "API_PORT") {
            guard (0...65535).contains(port) else { throw APIConfigurationError(variable: "API_PORT", reason: "must be 0 to 65535") }
            configuration.port = port
        }
        if let size = try integer(env, "API_MAX_BODY_BYTES") {
            guard size > 0 else { throw APIConfigurationError(variable: "API_MAX_BODY_BYTES", reason: "must be positive") }
            configuration.maximumBodySize = size
        }
        configuration.jwt = try jwtConfiguration(env)
        return configuration
    }

    // MARK: Variables

    private static func jwtConfiguration(_ env: [String: String]) throws -> JWTConfiguration? {
        let secret = nonEmpty(env["JWT_HS256_SECRET"])
        if let secret, secret.utf8.count < 32 {
            throw APIConfigurationError(variable: "JWT_HS256_SECRET", reason: "must be at least 32 bytes")
        }
        var jwks: String?
        if let path = nonEmpty(env["JWT_JWKS_FILE"]) {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw APIConfigurationError(variable: "JWT_JWKS_FILE", reason: "names a file that cannot be read as UTF-8")
            }
            jwks = text
        }
        let autoProvision = try boolean(env, "JWT_AUTO_PROVISION") ?? false
        let issuer = nonEmpty(env["JWT_ISSUER"])
        let audience = nonEmpty(env["JWT_AUDIENCE"])
        guard secret != nil || jwks != nil else {
            if autoProvision || issuer != nil || audience != nil {
                throw APIConfigurationError(
                    variable: "JWT_HS256_SECRET", reason: "or JWT_JWKS_FILE is required when other JWT_ variables are set")
            }
            return nil
        }
        return JWTConfiguration(hs256Secret: secret, jwks: jwks, issuer: issuer, audience: audience, autoProvision: autoProvision)
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    private static func integer(_ env: [String: String], _ variable: String) throws -> Int? {
        guard let text = nonEmpty(env[variable]) else { return nil }
        guard let value = Int(text) else { throw APIConfigurationError(variable: variable, reason: "must be an integer") }
        return value
    }

    private static func boolean(_ env: [String: String], _ variable: String) throws -> Bool? {
        switch nonEmpty(env[variable])?.lowercased() {
        case nil: nil
        case "true", "1", "yes": true
        case "false", "0", "no": false
        default: throw APIConfigurationError(variable: variable, reason: "must be true or false")
        }
    }
}
