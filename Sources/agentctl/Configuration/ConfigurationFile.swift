import Configuration
import Foundation
import SystemPackage

/// The optional JSON configuration file, for operators who prefer one to environment variables.
///
/// Its keys are the settings' file keys, nested: `{"api": {"port": 8080}, "database": {"url": "..."}}`
/// (see ``Setting/fileKey``). A key that is no setting is an error, so that a typo does not silently
/// leave a default in place.
enum ConfigurationFile {
    /// The file, read: swift-configuration's provider for it, and the kind of JSON value each of its keys holds.
    struct Opened {
        let provider: any ConfigProvider
        /// By dotted key (``Setting/fileKey``): swift-configuration reads a Boolean as the integer 1 or 0 and a
        /// number as a Boolean, so `"port": false` was a random port and `"rateLimitPerAddress": false` no
        /// limit; ``SettingsReader`` refuses them as it refuses `"port": "eighty"`.
        let kinds: [String: ValueKind]
    }

    /// The kind of a JSON value.
    enum ValueKind: Equatable {
        case boolean, number, string, blankString, other
    }

    /// The file at `path`, opened; `variable` names where the path came from.
    static func open(_ path: String, variable: String) async -> Result<Opened, PlatformConfigurationError> {
        func failure(_ message: String) -> Result<Opened, PlatformConfigurationError> {
            .failure(PlatformConfigurationError(problems: [.init(setting: variable, message: "\(variable) \(message)")]))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return failure("names \(path), which does not exist or cannot be read")
        }
        // Parsed here first to list its keys; the parser's own errors could quote the file's text.
        guard let object = try? JSONSerialization.jsonObject(with: data) else {
            return failure("names \(path), which is not valid JSON")
        }
        guard let settings = object as? [String: Any] else {
            return failure("names \(path), whose top level is not a JSON object")
        }
        let kinds = Self.kinds(of: settings)
        let known = Set(Setting.all.map(\.fileKey))
        let unknown = kinds.keys.filter { !known.contains($0) }.sorted()
        guard unknown.isEmpty else {
            let list = unknown.map { "'\($0)'" }.joined(separator: ", ")
            return failure("names \(path), whose keys \(list) are not settings (see `agentctl config check --help`)")
        }
        let secrets = Set(Setting.all.filter(\.isSecret).map(\.fileKey))
        let heldSecrets = kinds.keys.filter(secrets.contains).sorted()
        if !heldSecrets.isEmpty, isReadableByOthers(path) {
            // As for the local key file: a secret readable by other accounts is as good as published.
            let list = heldSecrets.map { "'\($0)'" }.joined(separator: ", ")
            return failure("names \(path), which holds secrets (\(list)) but is readable by group or others; run chmod 600 on it")
        }
        do {
            let provider = try await FileProvider<JSONSnapshot>(
                parsingOptions: .init(secretsSpecifier: .specific(secrets)), filePath: FilePath(path))
            return .success(Opened(provider: provider, kinds: kinds))
        } catch {
            return failure("names \(path), which holds a value that is not a string, number or Boolean")
        }
    }

    /// Whether group or others may read or write the file: the file a link names, whose mode is what
    /// counts (a link's own is always 0777; Kubernetes mounts a Secret's keys as links). A file whose mode
    /// cannot be read counts as shared.
    static func isReadableByOthers(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return true }
        return info.st_mode & 0o077 != 0
    }

    /// Every leaf's kind of value, by dotted key (e.g. `api.port`): its keys are the file's settings.
    static func kinds(of object: [String: Any], prefix: String = "") -> [String: ValueKind] {
        var kinds: [String: ValueKind] = [:]
        for (key, value) in object {
            let path = prefix.isEmpty ? key : "\(prefix).\(key)"
            switch value {
            case let nested as [String: Any]:
                kinds.merge(self.kinds(of: nested, prefix: path)) { first, _ in first }
            case let text as String:
                kinds[path] = text.allSatisfy(\.isWhitespace) ? .blankString : .string
            case let number as NSNumber:
                // JSONSerialization's true and false are NSNumbers too, of C's char type.
                kinds[path] = String(cString: number.objCType) == "c" ? .boolean : .number
            default:
                kinds[path] = .other
            }
        }
        return kinds
    }
}
