import ArgumentParser
import History
import Policy
import SQLiteDB

/// `--policy FILE`: the policy settings (default: built in).
struct PolicyOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A JSON policy settings file (default: the built-in policy; see README).", valueName: "file"))
    var policy: String?

    func resolve(_ db: Connection) throws -> ResolvedPolicy {
        var settings = PolicySettings()
        if let policy {
            do { settings = try PolicySettings.load(path: policy) } catch let error as PolicySettings.Invalid {
                throw UserFacingError(message: error.description, exitCode: UserFacingError.dataError)
            }
        }
        do { return try ResolvedPolicy(settings: settings, db: db) } catch let error as ResolvedPolicy.MissingValueSet {
            throw UserFacingError(message: error.description, exitCode: UserFacingError.dataError)
        }
    }
}

/// The scope filters shared by decide and export.
struct ScopeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Only this member's lines.", valueName: "member-id"))
    var member: String?
    @Option(help: ArgumentHelp("Only this claim's lines.", valueName: "claim-id"))
    var claim: String?
    @Option(help: ArgumentHelp("Only service dates on or after this date.", valueName: "YYYY-MM-DD"))
    var from: Day?
    @Option(help: ArgumentHelp("Only service dates on or before this date.", valueName: "YYYY-MM-DD"))
    var to: Day?

    var filter: DecisionFilter {
        DecisionFilter(memberID: member, claimID: claim, serviceFrom: from, serviceTo: to)
    }
}

extension Day: ExpressibleByArgument {
    public init?(argument: String) { self.init(iso: argument) }
}

extension Outcome: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.uppercased()) }
}
