import AgentAPI
import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// The console's stylesheet and script, compiled into the binary and served under names that carry a
/// hash of their content, so a browser may cache them for a year and still never runs a stale one.
struct ConsoleAssets: Sendable {
    struct Asset: Sendable {
        let path: String
        let contentType: String
        let bytes: [UInt8]
    }

    let stylesheet: Asset
    let script: Asset
    /// What the script needs to know of a session: how long it lasts without use, to warn before it ends.
    let sessionIdleSeconds: Int

    var stylesheetPath: String { stylesheet.path }
    var scriptPath: String { script.path }

    init(sessionIdleSeconds: Int = 3600) {
        self.sessionIdleSeconds = sessionIdleSeconds
        stylesheet = Self.asset("console", "css", "text/css; charset=utf-8", PackageResources.console_css)
        script = Self.asset("console", "js", "text/javascript; charset=utf-8", PackageResources.console_js)
    }

    private static func asset(_ name: String, _ suffix: String, _ contentType: String, _ bytes: [UInt8]) -> Asset {
        let hash = SHA256.hash(data: bytes).prefix(6).map { String(format: "%02x", $0) }.joined()
        return Asset(path: "/assets/\(name)-\(hash).\(suffix)", contentType: contentType, bytes: bytes)
    }

    /// Serves both assets at their hashed paths.
    func addRoutes(to router: Router<APIRequestContext>) {
        for asset in [stylesheet, script] {
            router.get(RouterPath(asset.path)) { _, _ in
                var headers = ConsoleHeaders.page
                headers[.contentType] = asset.contentType
                headers[.cacheControl] = "public, max-age=31536000, immutable"
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
            }
        }
    }
}
