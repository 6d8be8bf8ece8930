import ArgumentParser
import DelimitedText
import Foundation
import History
import Policy

/// `lbp policy set|show|history`: the policy versions stored in the database.
struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Store, show and list the policy versions that lbp decide uses.",
        subcommands: [Set.self, Show.self, ListVersions.self])

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Validate a JSON settings file and store it as the current policy version.")

        @Argument(help: "The settings file (keys it omits keep their defaults; see docs/policy.md).") var file: String
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try reportingErrors(database: database.path) {
                let settings: PolicySettings
                do { settings = try PolicySettings.load(path: file) } catch let error as PolicySettings.Invalid {
                    throw UserFacingError(message: error.description, exitCode: UserFacingError.dataError)
                }
                let db = try database.open()
                let stored: StoredPolicy
                do {
                    stored = try db.transaction(.immediate) {
                        try PolicyStore(db).set(settings, source: file, at: Clock.system.timestamp())
                    }
                } catch let error as ResolvedPolicy.MissingValueSet {
                    throw UserFacingError(message: "\(file): \(error)", exitCode: UserFacingError.dataError)
                }
                print("policy \(stored.policyID) version \(stored.version) stored as version \(stored.versionID); the next lbp decide uses it")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Print the current policy settings as JSON (the settings file format).")

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try reportingErrors(database: database.path) {
                let db = try database.openForReading()
                let resolved = try PolicyStore(db).current()
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(resolved.settings), as: UTF8.self))
                printToStderr("policy \(resolved.settings.policyID) version \(resolved.version)\n")
            }
        }
    }

    struct ListVersions: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "history", abstract: "List the stored policy versions, oldest first.")

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try reportingErrors(database: database.path) {
                let db = try database.openForReading()
                let versions = try PolicyStore(db).history()
                if versions.isEmpty { print("no policy stored: lbp decide uses the built-in policy"); return }
                print("version_id,policy_id,version,set_at,source")
                for version in versions {
                    print([String(version.versionID), version.policyID, version.version, version.createdAt, version.source]
                        .map(CSVWriter.escape).joined(separator: ","))
                }
            }
        }
    }
}
