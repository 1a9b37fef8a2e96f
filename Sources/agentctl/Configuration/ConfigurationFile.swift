import Configuration
import Foundation
import SystemPackage

/// The optional JSON configuration file, for operators who prefer one to environment variables.
///
/// Its keys are the settings' file keys, nested: `{"api": {"port": 8080}, "database": {"url": "..."}}`
/// (see ``Setting/fileKey``). A key that is no setting is an error, so that a typo does not silently
/// leave a default in place.
enum ConfigurationFile {
    /// swift-configuration's provider for the file at `path`; `variable` names where the path came from.
    static func open(_ path: String, variable: String) async -> Result<any ConfigProvider, PlatformConfigurationError> {
        func failure(_ message: String) -> Result<any ConfigProvider, PlatformConfigurationError> {
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
        let known = Set(Setting.all.map(\.fileKey))
        let unknown = keys(of: settings).filter { !known.contains($0) }.sorted()
        guard unknown.isEmpty else {
            let list = unknown.map { "'\($0)'" }.joined(separator: ", ")
            return failure("names \(path), whose keys \(list) are not settings (see `agentctl config check --help`)")
        }
        let secrets = Set(Setting.all.filter(\.isSecret).map(\.fileKey))
        let heldSecrets = keys(of: settings).filter(secrets.contains).sorted()
        if !heldSecrets.isEmpty, isReadableByOthers(path) {
            // As for the local key file: a secret readable by other accounts is as good as published.
            let list = heldSecrets.map { "'\($0)'" }.joined(separator: ", ")
            return failure("names \(path), which holds secrets (\(list)) but is readable by group or others; run chmod 600 on it")
        }
        do {
            let provider = try await FileProvider<JSONSnapshot>(
                parsingOptions: .init(secretsSpecifier: .specific(secrets)), filePath: FilePath(path))
            return .success(provider)
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

    /// Every leaf's dotted key, e.g. `api.port`.
    static func keys(of object: [String: Any], prefix: String = "") -> [String] {
        object.flatMap { key, value in
            let path = prefix.isEmpty ? key : "\(prefix).\(key)"
            if let nested = value as? [String: Any] { return keys(of: nested, prefix: path) }
            return [path]
        }
    }
}
