import AgentAPI
import AgentStore
import Foundation

extension PlatformConfiguration {
    /// `API_*` and `JWT_*`.
    static func readAPI(_ settings: inout SettingsReader) async -> APIConfiguration {
        var api = APIConfiguration()
        let host = settings.string(.apiHost)
        if let host { api.hostname = host }
        settings.show(.apiHost, api.hostname, isSet: host != nil)

        let port = settings.int(.apiPort)
        if let port {
            if (0...65535).contains(port) { api.port = port } else { settings.fail(.apiPort, "must be 0 to 65535") }
        }
        settings.show(.apiPort, "\(api.port)", isSet: port != nil)

        let bodyBytes = settings.int(.apiMaximumBodyBytes)
        if let bodyBytes {
            if bodyBytes > 0 { api.maximumBodySize = bodyBytes } else { settings.fail(.apiMaximumBodyBytes, "must be positive") }
        }
        settings.show(.apiMaximumBodyBytes, "\(api.maximumBodySize)", isSet: bodyBytes != nil)

        api.jwt = await readJWT(&settings)
        api.tokenLifetime = readTokenLifetime(&settings)
        return api
    }

    /// `TOKEN_DEFAULT_DAYS` and `TOKEN_MAX_DAYS`: every personal token expires.
    private static func readTokenLifetime(_ settings: inout SettingsReader) -> TokenLifetime {
        let range = "an integer from \(tokenDays.lowerBound) to \(tokenDays.upperBound)"
        var maximum = TokenLifetime.standard.maximumDays
        let maximumSet = settings.int(.tokenMaximumDays)
        if let maximumSet {
            if tokenDays.contains(maximumSet) {
                maximum = maximumSet
            } else {
                settings.fail(.tokenMaximumDays, "must be \(range)")
            }
        }
        var defaultDays = min(TokenLifetime.standard.defaultDays, maximum)
        let defaultSet = settings.int(.tokenDefaultDays)
        if let defaultSet {
            if !tokenDays.contains(defaultSet) {
                settings.fail(.tokenDefaultDays, "must be \(range)")
            } else if defaultSet > maximum {
                settings.fail(.tokenDefaultDays, "must not exceed TOKEN_MAX_DAYS")
            } else {
                defaultDays = defaultSet
            }
        }
        settings.show(.tokenDefaultDays, "\(defaultDays)", isSet: defaultSet != nil)
        settings.show(.tokenMaximumDays, "\(maximum)", isSet: maximumSet != nil)
        return TokenLifetime(defaultDays: defaultDays, maximumDays: maximum)
    }

    private static func readJWT(_ settings: inout SettingsReader) async -> JWTConfiguration? {
        let secret = settings.string(.jwtSecret)
        if let secret, secret.utf8.count < minimumSecretBytes {
            settings.fail(.jwtSecret, "must be at least \(minimumSecretBytes) bytes")
        }
        settings.show(.jwtSecret, "(not set)", isSet: secret != nil)

        let keySetPath = settings.string(.jwtKeySetFile)
        var keySet: String?
        if let keySetPath {
            if let data = FileManager.default.contents(atPath: keySetPath), let text = String(data: data, encoding: .utf8) {
                keySet = text
                if !(await JWTConfiguration.isUsableKeySet(text)) {
                    settings.fail(.jwtKeySetFile, "names a file that is not a usable JSON Web Key Set")
                }
            } else {
                settings.fail(.jwtKeySetFile, "names a file that cannot be read as UTF-8")
            }
        }
        settings.show(.jwtKeySetFile, keySetPath ?? "(not set)", isSet: keySetPath != nil)

        let issuer = settings.string(.jwtIssuer)
        settings.show(.jwtIssuer, issuer ?? "(any)", isSet: issuer != nil)
        let audience = settings.string(.jwtAudience)
        settings.show(.jwtAudience, audience ?? "(any)", isSet: audience != nil)
        let autoProvision = settings.bool(.jwtAutoProvision)
        settings.show(.jwtAutoProvision, "\(autoProvision ?? false)", isSet: autoProvision != nil)

        guard secret != nil || keySetPath != nil else {
            if autoProvision == true || issuer != nil || audience != nil {
                settings.fail(.jwtSecret, "or JWT_JWKS_FILE is required when other JWT_ settings are set")
            }
            return nil
        }
        return JWTConfiguration(
            hs256Secret: secret, jwks: keySet, issuer: issuer, audience: audience, autoProvision: autoProvision ?? false)
    }
}
