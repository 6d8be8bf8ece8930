import ArgumentParser
import History
import Policy
import SQLiteDB

/// `--policy FILE`: a what-if policy; without it, the policy stored with `lbp policy set` (or the
/// built-in one when none was set).
struct PolicyOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A JSON policy settings file to try instead of the stored policy (nothing is stored).", valueName: "file"))
    var policy: String?

    /// Whether a what-if policy file was given.
    var isWhatIf: Bool { policy != nil }

    func resolve(_ db: Connection) throws -> ResolvedPolicy {
        do {
            guard let policy else { return try PolicyStore(db).current() }
            return try ResolvedPolicy(settings: try PolicySettings.load(path: policy), db: db)
        } catch let error as PolicySettings.Invalid {
            throw UserFacingError(message: error.description, exitCode: UserFacingError.dataError)
        } catch let error as ResolvedPolicy.MissingValueSet {
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
