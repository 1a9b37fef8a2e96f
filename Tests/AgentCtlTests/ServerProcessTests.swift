import Testing

@testable import agentctl

/// What a benchmark's server process inherits of the benchmark's environment.
@Suite struct ServerProcessTests {
    @Test func theServerInheritsThePlatformsPlainSettingsAndNoSecret() {
        let parent = [
            "PATH": "/usr/bin:/bin", "HOME": "/root", "LC_ALL": "C.UTF-8", "API_PORT": "9000",
            "PROVIDER_ALLOWED_HOSTS": "127.0.0.1", "DATABASE_URL": "postgresql://app:secret@db/agents",
            "ENCRYPTION_KEY": "k", "PGPASSWORD": "secret", "AWS_SECRET_ACCESS_KEY": "secret", "SOMETHING_ELSE": "x",
        ]
        let passed = ServerProcess.passedEnvironment(parent)
        #expect(
            passed == [
                "PATH": "/usr/bin:/bin", "HOME": "/root", "LC_ALL": "C.UTF-8", "API_PORT": "9000",
                "PROVIDER_ALLOWED_HOSTS": "127.0.0.1",
            ])
        for setting in Setting.all where setting.isSecret { #expect(passed[setting.variable] == nil) }
    }
}
