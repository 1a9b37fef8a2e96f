extension Migration {
    /// The token check of migrations 4 and 6, `authenticate_token(text, bytea)`, which sets the tenant for any
    /// valid token and checks no scope, is dropped: migration 11's `authenticate_token(text, bytea, text[])`
    /// replaced it, and no caller is left, but the runtime role could still call it.
    ///
    /// Frozen as literal SQL, its checksum pinned by a test. Down restores migration 6's function and grants.
    static let unusedTokenCheck = Migration(
        version: 22,
        name: "the token check without scopes is dropped",
        up: [
            "DROP FUNCTION public.authenticate_token(text, bytea)"
        ],
        down: [
            // Migration 6's function, with migration 4's grants.
            Migration.hardening.up[10],
            Migration.tokenAuthentication.up[1],
            Migration.tokenAuthentication.up[2],
        ])
}
