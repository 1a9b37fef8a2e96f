import AgentAPI
import AgentStore
import Foundation

extension PlatformConfiguration {
    /// `API_*` and `JWT_*`.
    static func readAPI(_ settings: inout SettingsReader) async -> APIConfiguration {
        var api = APIConfiguration()
        let host = settings.string(.apiHost)
        if let host {
            if let problem = ListenHost.problem(host) { settings.fail(.apiHost, problem) } else { api.hostname = host }
        }
        settings.show(.apiHost, api.hostname, isSet: host != nil)

        let port = settings.int(.apiPort)
        if let port {
            if ports.contains(port) { api.port = port } else { settings.fail(.apiPort, "must be 0 to 65535") }
        }
        settings.show(.apiPort, "\(api.port)", isSet: port != nil)

        let bodyBytes = settings.int(.apiMaximumBodyBytes)
        if let bodyBytes {
            if bodyBytes > 0 { api.maximumBodySize = bodyBytes } else { settings.fail(.apiMaximumBodyBytes, "must be positive") }
        }
        settings.show(.apiMaximumBodyBytes, "\(api.maximumBodySize)", isSet: bodyBytes != nil)

        let idleSeconds = settings.int(.apiIdleTimeoutSeconds)
        if let idleSeconds {
            if idleTimeoutSeconds.contains(idleSeconds) {
                api.idleTimeout = .seconds(idleSeconds)
            } else {
                settings.fail(
                    .apiIdleTimeoutSeconds, "must be \(idleTimeoutSeconds.lowerBound) to \(idleTimeoutSeconds.upperBound)")
            }
        }
        settings.show(.apiIdleTimeoutSeconds, "\(api.idleTimeout.components.seconds)", isSet: idleSeconds != nil)

        api.rateLimits = readRateLimits(&settings)

        let exports = settings.int(.apiMaximumConcurrentExports)
        if let exports {
            if concurrentExports.contains(exports) {
                api.maximumConcurrentExports = exports
            } else {
                settings.fail(
                    .apiMaximumConcurrentExports, "must be \(concurrentExports.lowerBound) to \(concurrentExports.upperBound)")
            }
        }
        settings.show(.apiMaximumConcurrentExports, "\(api.maximumConcurrentExports)", isSet: exports != nil)
        api.jwt = await readJWT(&settings)
        api.tokenLifetime = readTokenLifetime(&settings)
        return api
    }

    /// `METRICS_HOST` and `METRICS_PORT`: off unless a port is given, and never the API's own port.
    static func readMetrics(_ settings: inout SettingsReader, api: APIConfiguration) -> MetricsListener? {
        var listener = MetricsListener(port: 0)
        let host = settings.string(.metricsHost)
        if let host {
            if let problem = ListenHost.problem(host) { settings.fail(.metricsHost, problem) } else { listener.hostname = host }
        }
        settings.show(.metricsHost, listener.hostname, isSet: host != nil)

        let port = settings.int(.metricsPort)
        if let port {
            if !ports.contains(port) {
                settings.fail(.metricsPort, "must be 0 to 65535")
            } else if port != 0, port == api.port {
                // Two listeners on one port: the second could not bind, or would shadow the API.
                settings.fail(.metricsPort, "must differ from API_PORT")
            } else {
                listener.port = port
            }
        } else if host != nil {
            settings.fail(.metricsHost, "is set but METRICS_PORT is not: set METRICS_PORT to serve /metrics")
        }
        settings.show(.metricsPort, port.map(String.init) ?? "(not set: /metrics is not served)", isSet: port != nil)
        return port == nil ? nil : listener
    }

    /// `API_RATE_LIMIT_*` and `API_FAILED_AUTH_PER_MINUTE` (0 turns one off), and `API_TRUSTED_PROXIES`.
    private static func readRateLimits(_ settings: inout SettingsReader) -> RateLimits {
        func rate(_ setting: Setting, default fallback: Int, per seconds: Double) -> RateLimits.Rate? {
            let value = settings.int(setting)
            if let value, !(0...1_000_000).contains(value) { settings.fail(setting, "must be 0 (off) to 1000000") }
            let effective = value ?? fallback
            settings.show(setting, effective == 0 ? "0 (off)" : "\(effective)", isSet: value != nil)
            guard effective > 0 else { return nil }
            // Per minute: the whole minute's allowance may come at once, then it refills.
            return seconds == 1
                ? RateLimits.Rate(perSecond: Double(effective))
                : RateLimits.Rate(perSecond: Double(effective) / seconds, burst: Double(effective))
        }
        return RateLimits(
            perAddress: rate(.apiRateLimitPerAddress, default: defaultRequestsPerSecondPerAddress, per: 1),
            perCredential: rate(.apiRateLimitPerCredential, default: defaultRequestsPerSecondPerCredential, per: 1),
            failedAuthentications: rate(.apiFailedAuthPerMinute, default: defaultFailedAuthenticationsPerMinute, per: 60),
            trustedProxies: readTrustedProxies(&settings))
    }

    /// `API_TRUSTED_PROXIES`: the load balancers and proxies in front of the API, as IP addresses.
    private static func readTrustedProxies(_ settings: inout SettingsReader) -> Set<String> {
        let text = settings.string(.apiTrustedProxies)
        var proxies: Set<String> = []
        for entry in (text ?? "").split(separator: ",") where !entry.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let address = RateLimits.normalizedAddress(entry) else {
                settings.fail(.apiTrustedProxies, "must be a comma-separated list of IP addresses")
                return []
            }
            proxies.insert(address)
        }
        settings.show(
            .apiTrustedProxies,
            proxies.isEmpty ? "(not set: X-Forwarded-For is ignored)" : proxies.sorted().joined(separator: ","),
            isSet: text != nil)
        return proxies
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
        if let secret, let weakness = JWTConfiguration.secretWeakness(secret) {
            settings.fail(.jwtSecret, weakness)
        }
        settings.show(.jwtSecret, "(not set)", isSet: secret != nil)

        let keySetPath = settings.string(.jwtKeySetFile)
        var keySet: String?
        if let keySetPath {
            if let data = FileManager.default.contents(atPath: keySetPath) {
                if let text = String(data: data, encoding: .utf8) {
                    keySet = text
                    if let problem = await JWTConfiguration.keySetProblem(text) {
                        settings.fail(.jwtKeySetFile, "names a file that is not a usable JSON Web Key Set: it \(problem)")
                    }
                } else {
                    settings.fail(.jwtKeySetFile, "names a file that is not UTF-8 text")
                }
            } else {
                settings.fail(.jwtKeySetFile, "names a file that does not exist or cannot be read")
            }
        }
        settings.show(.jwtKeySetFile, keySetPath ?? "(not set)", isSet: keySetPath != nil)

        // A key set is a third party's keys: without both checks, a token the provider issued for another
        // application, or under another issuer, would be accepted.
        let issuer = settings.string(.jwtIssuer)
        if keySetPath != nil, issuer == nil { settings.fail(.jwtIssuer, "is required when JWT_JWKS_FILE is set") }
        settings.show(.jwtIssuer, issuer ?? "(any)", isSet: issuer != nil)
        let audience = settings.string(.jwtAudience)
        if keySetPath != nil, audience == nil { settings.fail(.jwtAudience, "is required when JWT_JWKS_FILE is set") }
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
