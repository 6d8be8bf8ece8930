import ArgumentParser
import DelimitedText
import History

/// `lbp ledger`: the files loaded so far.
struct LedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger", abstract: "List the extract files loaded, with their SHA-256 and counts.")

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try reportingErrors(database: database.path) {
            let db = try database.openForReading()
            print("load_id,kind,file_name,file_size,sha256,rows_read,rows_loaded,rows_rejected,warnings,claims_stored,claims_replaced,claims_voided,loaded_at")
            for entry in try LoadLedger(db).all() {
                print([String(entry.loadID), entry.kind, entry.fileName, String(entry.fileSize), entry.sha256,
                       String(entry.rowsRead), String(entry.rowsLoaded), String(entry.rowsRejected), String(entry.warnings),
                       String(entry.claimsStored), String(entry.claimsReplaced), String(entry.claimsVoided), entry.loadedAt]
                    .map(CSVWriter.escape).joined(separator: ","))
            }
        }
    }
}
