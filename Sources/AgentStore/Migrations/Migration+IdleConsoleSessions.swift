import Foundation

extension Migration {
    /// A console session ends after a time without use, as well as at its expiry: a browser left signed in
    /// on a shared or stolen machine stops working within `CONSOLE_IDLE_MINUTES`, not at the end of
    /// `CONSOLE_SESSION_HOURS`.
    ///
    /// - `console_sessions.last_seen_at`: when the session was last used, kept to the minute. Sessions that
    ///   exist when the migration runs count as seen then (a constant default rewrites nothing).
    /// - `authenticate_console_session(user, hash, idle_seconds)` refuses a session unused for longer than
    ///   `idle_seconds`, and moves `last_seen_at` on when it is more than a minute old, so a check writes at
    ///   most once a minute per session, as the token check does. The platform always passes its idle time
    ///   (NULL would check none). The check without it is dropped, so no caller can leave it out; an older
    ///   release, whose `/ready` is 503 on this schema, no longer signs console sessions in.
    ///
    /// Frozen as literal SQL, its checksum pinned by a test. Down restores migration 17's check.
    static let idleConsoleSessions = Migration(
        version: 25,
        name: "console sessions end after a time without use",
        up: [
            "ALTER TABLE public.console_sessions ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now()",
            // The one column besides `ended_at` the platform changes: use moves it on, nothing moves it back.
            "GRANT UPDATE (last_seen_at) ON public.console_sessions TO agent_runtime",
            "DROP FUNCTION public.authenticate_console_session(text, bytea)",
            """
            CREATE FUNCTION public.authenticate_console_session(claimed_user_id text, presented_hash bytea, idle_seconds integer)
              RETURNS text[]
              LANGUAGE plpgsql VOLATILE
              AS $$
            DECLARE
              session_id text;
              seen_at timestamptz;
              granted text[];
            BEGIN
              PERFORM pg_catalog.set_config('app.current_user_id', claimed_user_id, true);
              SELECT s.id, s.last_seen_at, s.scopes INTO session_id, seen_at, granted FROM public.console_sessions s
               WHERE s.session_hash OPERATOR(pg_catalog.=) presented_hash
                 AND s.user_id OPERATOR(pg_catalog.=) claimed_user_id AND s.ended_at IS NULL
                 AND s.expires_at OPERATOR(pg_catalog.>) pg_catalog.now()
                 AND (idle_seconds IS NULL
                      OR s.last_seen_at OPERATOR(pg_catalog.>)
                         (pg_catalog.now() OPERATOR(pg_catalog.-) pg_catalog.make_interval(secs => idle_seconds)))
                 AND (s.token_id IS NULL
                      OR EXISTS (SELECT 1 FROM public.api_tokens t
                                  WHERE t.id OPERATOR(pg_catalog.=) s.token_id
                                    AND t.user_id OPERATOR(pg_catalog.=) claimed_user_id AND t.revoked_at IS NULL
                                    AND (t.expires_at IS NULL OR t.expires_at OPERATOR(pg_catalog.>) pg_catalog.now())));
              IF granted IS NULL THEN
                PERFORM pg_catalog.set_config('app.current_user_id', '', true);
                RETURN NULL;
              END IF;
              -- To the minute: most checks write nothing. (An operator written OPERATOR(...) binds as any other
              -- such operator, left to right: the parentheses are needed.)
              IF seen_at OPERATOR(pg_catalog.<) (pg_catalog.now() OPERATOR(pg_catalog.-) interval '1 minute') THEN
                UPDATE public.console_sessions SET last_seen_at = pg_catalog.now() WHERE id OPERATOR(pg_catalog.=) session_id;
              END IF;
              RETURN granted;
            END
            $$
            """,
            "REVOKE ALL ON FUNCTION public.authenticate_console_session(text, bytea, integer) FROM PUBLIC",
            "GRANT EXECUTE ON FUNCTION public.authenticate_console_session(text, bytea, integer) TO agent_runtime",
        ],
        down: [
            "DROP FUNCTION public.authenticate_console_session(text, bytea, integer)",
            Migration.reviewedChecks.up[2].replacingOccurrences(of: "CREATE OR REPLACE FUNCTION", with: "CREATE FUNCTION"),
            "REVOKE ALL ON FUNCTION public.authenticate_console_session(text, bytea) FROM PUBLIC",
            "GRANT EXECUTE ON FUNCTION public.authenticate_console_session(text, bytea) TO agent_runtime",
            "ALTER TABLE public.console_sessions DROP COLUMN last_seen_at",
        ])
}
