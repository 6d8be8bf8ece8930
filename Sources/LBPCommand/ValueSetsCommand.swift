import ArgumentParser
import DelimitedText
import History
import ValueSets

/// `lbp valuesets list|reload|load`.
struct ValueSetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "valuesets",
        abstract: "Show or change the stored value sets; the derived event tables are rebuilt without reloading extracts.",
        subcommands: [List.self, Reload.self, Load.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the stored value sets.")
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try reportingErrors(database: database.path) {
                let db = try database.openForReading()
                print("value_set,code_system,codes,origin,sha256")
                for set in try ValueSetStore(db).list() {
                    print("\(set.name),\(set.codeSystem),\(set.codes),\(CSVWriter.escape(set.origin)),\(set.sha256)")
                }
            }
        }
    }

    struct Reload: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reload",
            abstract: "Replace every stored value set by the ones shipped in this binary, and rebuild the events.")
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try reportingErrors(database: database.path) {
                let db = try database.open()
                let sets = EmbeddedValueSets.all()
                try ValueSetStore(db).replaceAll(with: sets)
                print("reloaded \(sets.count) shipped value sets; dx_event and line_category rebuilt")
            }
        }
    }

    struct Load: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "load",
            abstract: "Add or replace value sets from CSV files (value_set,code_system,code,description), and rebuild the events.")
        @Argument(help: "Value-set CSV files.") var files: [String]
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try reportingErrors(database: database.path) {
                let db = try database.open()
                var sets: [ValueSet] = []
                for file in files {
                    do { sets += try ValueSetFile.parse(path: file) } catch let error as ValueSetFile.Invalid {
                        throw UserFacingError(message: error.description, exitCode: UserFacingError.dataError)
                    }
                }
                try ValueSetStore(db).upsert(sets)
                print("stored \(sets.map(\.name).joined(separator: ", ")); dx_event and line_category rebuilt")
            }
        }
    }
}
