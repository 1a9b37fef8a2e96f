import AgentSecrets
import AgentStore
import ArgumentParser
import Foundation
import Logging

/// `agentctl keys generate|rotate|verify`: the keys that seal stored API keys.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Generate encryption keys, rotate and verify sealed API keys.",
        subcommands: [Generate.self, Rotate.self, Verify.self])

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a new random 256-bit key, as 64 hex characters.")

        func run() async throws {
            print(Keyring.generateKeyHex())
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-seal API keys not under the active key and recompute fingerprints, in batches, while serving.")
        @Option(help: "Rows per transaction.") var batchSize: Int = 200
        @OptionGroup var config: ConfigurationOptions

        func validate() throws {
            guard (1...10_000).contains(batchSize) else { throw ValidationError("--batch-size must be 1 to 10000") }
        }

        func run() async throws {
            try await withRotation(config) { rotation in
                let total = try await rotation.pendingCount()
                let bar = ProgressLine(total: total, label: "examined")
                let report = try await rotation.rotate(batchSize: batchSize) { bar.update($0.examined) }
                bar.finish()
                for failure in report.failures {
                    print("failed tenant=\(failure.tenantID) connection=\(failure.connectionID): \(failure.reason)")
                }
                print("re-sealed \(report.resealed) of \(connections(report.examined)) under key \(rotation.keyring.activeKeyID)")
                print("recomputed the fingerprint of \(connections(report.fingerprinted))")
                // Turning the seed format off is safe only once nothing is left in it.
                let use = try await rotation.keyUse()
                let seed = use.first { $0.keyID == KeyRotation.seedFormat }?.connections ?? 0
                print(
                    "\(connections(seed)) left in the seed format (iv:tag:ct)"
                        + (seed == 0 ? "; ACCEPT_SEED_FORMAT=false loses nothing" : ""))
                // A key written meanwhile by an instance whose keyring is older (a rolling deploy) is sealed
                // under an old key again, behind the batches: said, so that no one retires that key.
                print("sealed under: " + use.map { "\($0.keyID) (\(connections($0.connections)))" }.joined(separator: ", "))
                let left = try await rotation.pendingCount()
                if left > report.failures.count {
                    print(
                        "\(connections(left)) not under key \(rotation.keyring.activeKeyID) yet, written meanwhile by an "
                            + "instance with an older keyring: run rotate again once every instance has the new one, "
                            + "and retire no key still listed above")
                }
                if !report.failures.isEmpty || left > 0 { throw ExitCode(2) }
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open every stored API key; list the rows that fail.")
        @OptionGroup var config: ConfigurationOptions

        func run() async throws {
            try await withRotation(config) { rotation in
                let report = try await rotation.verify()
                for failure in report.failures {
                    print("failed tenant=\(failure.tenantID) connection=\(failure.connectionID): \(failure.reason)")
                }
                print("verified \(connections(report.examined)), \(report.failures.count) failed")
                if !report.failures.isEmpty { throw ExitCode(2) }
            }
        }
    }
}

private func withRotation(_ options: ConfigurationOptions, _ body: (KeyRotation) async throws -> Void) async throws {
    let configuration = try await options.load()
    let logger = Logger(label: "agentctl.keys")
    let context = try await PlatformContext.resolve(configuration, logger: logger)
    let keyring = try await context.keyring()
    try await context.withAdmin(maxConnections: 2) { try await body(KeyRotation(admin: $0, keyring: keyring, logger: logger)) }
}

/// "1 connection", "2 connections".
private func connections(_ count: Int) -> String {
    count == 1 ? "1 connection" : "\(count) connections"
}
