import Testing

/// A suite trait: one database for every test of the suite, created before its first test and dropped
/// after its last. Tests reach it through `TestDatabase.ofSuite`; each test makes users of its own, so
/// tenant isolation keeps them apart as it keeps tenants apart.
public struct OneDatabaseTrait: SuiteTrait, TestScoping {
    public var isRecursive: Bool { false }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let database = try await TestDatabase.make()
        do {
            try await TestDatabase.$ofSuite.withValue(database, operation: function)
        } catch {
            await database.drop()
            throw error
        }
        await database.drop()
    }
}

extension Trait where Self == OneDatabaseTrait {
    /// One database for the whole suite (see `OneDatabaseTrait`).
    public static var oneDatabase: Self { Self() }
}
