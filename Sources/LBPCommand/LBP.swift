import ArgumentParser
import Policy

/// `lbp`: the LBP imaging payment-integrity engine.
@main
struct LBP: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lbp",
        abstract: "Load claims and eligibility extracts, decide lumbar-imaging lines under the LBP policy, explain and export the decisions.",
        version: Engine.version,
        subcommands: [
            LoadCommand.self, DecideCommand.self, CheckCommand.self, ExplainCommand.self, ExportCommand.self, PolicyCommand.self,
            ValueSetsCommand.self, LedgerCommand.self, ServeCommand.self, BenchExplainCommand.self,
        ]
    )
}
