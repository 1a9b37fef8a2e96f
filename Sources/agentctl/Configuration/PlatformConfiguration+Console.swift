import AgentConsole

extension PlatformConfiguration {
    /// `CONSOLE_ENABLED` (default true), `CONSOLE_SECURE_COOKIES` (default false), `CONSOLE_SESSION_HOURS`
    /// (default 12) and `CONSOLE_IDLE_MINUTES` (default 60).
    static func readConsole(_ settings: inout SettingsReader) -> ConsoleSettings? {
        let enabled = settings.bool(.consoleEnabled)
        settings.show(.consoleEnabled, "\(enabled ?? true)", isSet: enabled != nil)
        let secure = settings.bool(.consoleSecureCookies)
        settings.show(.consoleSecureCookies, "\(secure ?? false)", isSet: secure != nil)
        let hours = settings.int(.consoleSessionHours, in: consoleSessionHours, default: defaultConsoleSessionHours)
        let idleMinutes = settings.int(.consoleIdleMinutes, in: consoleIdleMinutes, default: defaultConsoleIdleMinutes)
        guard enabled ?? true else { return nil }
        return ConsoleSettings(
            sessionLifetime: .seconds(hours * 3600), secureCookies: secure ?? false, idleTimeout: .seconds(idleMinutes * 60))
    }
}
