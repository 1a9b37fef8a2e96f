import PostgresNIO

/// What an operator may read of a database error the store does not name: its SQL state, or else the
/// driver's kind of failure. Never its message, which may quote a row's values.
public enum DatabaseFailureCode {
    /// `42P01` for a server's error, `connectionError` for the driver's; nil when `error` is not a
    /// database error. A transaction's error gives that of the step that failed.
    public static func of(_ error: any Error) -> String? {
        if let error = error as? PSQLError {
            return error.serverInfo?[.sqlState] ?? "\(error.code)"
        }
        if let error = error as? PostgresTransactionError {
            for step in [error.beginError, error.closureError, error.commitError] {
                if let step, let code = of(step) { return code }
            }
        }
        return nil
    }
}
