import PostgresNIO

extension StoreError {
    /// Maps a database error to a typed store error, by SQL state and constraint name, never by message text.
    ///
    /// Returns `nil` for errors that are not about the data (lost connection, syntax), which callers rethrow.
    init?(_ error: PSQLError) {
        guard let info = error.serverInfo, let state = info[.sqlState] else { return nil }
        let constraint = info[.constraintName] ?? ""
        switch PostgresError.Code(raw: state) {
        case .uniqueViolation:
            let (field, reason) = Self.uniqueFields[constraint] ?? (.id, "already exists")
            self = .conflict(field: field, reason: reason)
        case .foreignKeyViolation:
            // A reference to a row that does not exist or belongs to another tenant: both read as not found.
            self = .notFound(resource: Self.referencedResources[constraint] ?? "referenced resource")
        case .checkViolation:
            self = .invalid(field: Self.checkedFields[constraint] ?? .value, reason: "out of the allowed range")
        case .notNullViolation:
            self = .invalid(field: info[.columnName].flatMap { Self.requiredColumns[$0] } ?? .value, reason: "is required")
        case .insufficientPrivilege:
            // A row-level security refusal: the row is not the tenant's to write.
            self = .notFound(resource: "resource")
        case .invalidTextRepresentation, .characterNotInRepertoire, .numericValueOutOfRange,
            .stringDataRightTruncationException, PostgresError.Code(raw: "22P05"), PostgresError.Code(raw: "2202E"):
            self = .invalid(field: .value, reason: "is not valid")
        default:
            return nil
        }
    }

    /// A failure to reach the database at all (lost or refused connection, server shutting down, pool
    /// closed, out of disk or memory, read-only), or to finish the work now (a statement timeout, a
    /// deadlock, a serialization failure, a lock not had in time), as `.unavailable`: the same request may
    /// succeed when tried again. `nil` for anything else.
    init?(unavailable error: PSQLError) {
        switch error.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed:
            self = .unavailable(reason: "the database cannot be reached")
        case .server:
            guard let state = error.serverInfo?[.sqlState] else { return nil }
            // Class 08: connection exceptions; 57P0x: the server is shutting down; class 53: out of disk,
            // memory or connections; 25006: a server that turned read-only (as managed databases do near full).
            if state.hasPrefix("08") || state.hasPrefix("57P0") || state.hasPrefix("53")
                || state == PostgresError.Code.readOnlySqlTransaction.raw
            {
                self = .unavailable(reason: "the database is not accepting work")
            } else if Self.transientStates.contains(state) {
                self = .unavailable(reason: "the database could not finish the work now")
            } else {
                return nil
            }
        default:
            return nil
        }
    }

    /// Failures of the moment rather than of the request.
    private static let transientStates: Set<String> = [
        PostgresError.Code.queryCanceled.raw, PostgresError.Code.deadlockDetected.raw,
        PostgresError.Code.serializationFailure.raw, PostgresError.Code.lockNotAvailable.raw,
    ]

    // MARK: Constraint names from the migrations

    private static let uniqueFields: [String: (StoreField, String)] = [
        "users_email_key": (.email, "a user with this email already exists"),
        "users_pkey": (.id, "a user with this id already exists"),
        "agent_api_connections_unique_connection_idx": (.connectionID, "the connection is already linked to this agent"),
        "agent_feedback_one_per_user": (.messageID, "feedback on this message already exists"),
    ]

    private static let referencedResources: [String: String] = [
        "agents_user_id_fkey": "user",
        "api_connections_user_id_fkey": "user",
        "agent_api_connections_agent_fkey": "agent",
        "agent_api_connections_connection_fkey": "connection",
        "agent_messages_agent_fkey": "agent",
        "agent_messages_user_id_fkey": "user",
        "agent_conversations_agent_fkey": "agent",
        "agent_feedback_message_fkey": "message",
        "agent_feedback_user_id_fkey": "user",
        "api_tokens_user_id_fkey": "user",
    ]

    private static let checkedFields: [String: StoreField] = [
        "users_id_format": .id,
        "users_email_format": .email,
        "users_display_name_length": .displayName,
        "agents_name_length": .name,
        "agents_description_length": .description,
        "agents_system_prompt_length": .systemPrompt,
        "agents_model_length": .model,
        "agents_temperature_range": .temperature,
        "agents_max_tokens_positive": .maxTokens,
        "api_connections_name_length": .name,
        "api_connections_service_length": .service,
        "agent_messages_role_check": .role,
        "agent_messages_content_length": .content,
        "agent_messages_conversation_id_length": .conversationID,
        "agent_feedback_rating_check": .rating,
        "agent_feedback_comment_length": .comment,
        "api_tokens_name_length": .name,
    ]

    /// `NOT NULL` columns the platform's input fills, by column name; a column missing here (a tenant, a
    /// default) is reported as `.value`.
    private static let requiredColumns: [String: StoreField] = [
        "email": .email,
        "name": .name,
        "system_prompt": .systemPrompt,
        "model": .model,
        "temperature": .temperature,
        "service": .service,
        "api_key": .apiKey,
        "agent_id": .agentID,
        "api_connection_id": .connectionID,
        "conversation_id": .conversationID,
        "message_id": .messageID,
        "role": .role,
        "content": .content,
        "rating": .rating,
    ]
}
