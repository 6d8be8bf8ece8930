import DelimitedText
import History
import SQLiteDB

/// Loads a claims file: rows are checked (`ClaimRowReader`) and the file's claims applied to the
/// history (replace, void, or reject a claim whose rows disagree on its header); the rejected
/// claims' rows go to the rejects file.
///
/// Two paths with the same stored result: `streamed`, each claim applied as its rows end
/// (`ClaimStream`: the rows of a claim must be adjacent, else it throws `ClaimStream.NotAdjacent`
/// and the caller loads the file again staged), and staged, every row into `ClaimStage` first,
/// then `ClaimStore.applyStage`.
struct ClaimLoader {
    let context: LoadContext
    let loadID: Int64
    /// Whether to apply claims as they are read (adjacent claims) rather than through the stage.
    let streamed: Bool
    /// Whether a streamed file is read on a second thread while this one writes.
    let parallel: Bool
    /// Rows per batch from reading to writing.
    let batchRows: Int

    func run(into report: inout LoadReport) throws {
        let db = context.db
        let outcome: StageOutcome
        if streamed {
            let stream = try ClaimStream(db: db, loadID: loadID)
            report.rowsRead = try ClaimRowReader(context: context).run(into: stream, parallel: parallel, batchRows: batchRows)
            outcome = try stream.finish()
        } else {
            try ClaimStage.create(db)
            report.rowsRead = try ClaimRowReader(context: context).run()
            outcome = try ClaimStore(db: db, loadID: loadID).applyStage()
        }
        report.claimsStored = outcome.claimsStored
        report.claimsReplaced += outcome.claimsReplaced
        report.claimsVoided += outcome.claimsVoided
        report.voidsOfUnknownClaims += outcome.voidsOfUnknownClaims
        report.warnings += outcome.warnings

        // Every staged row is a stored line, a void row, or part of a rejected claim.
        let accounted = outcome.linesStored + outcome.voidRows + outcome.rejectedRows
        guard accounted == outcome.stagedRows else {
            throw IngestError.countsDoNotAddUp(path: context.path, detail: "\(outcome.stagedRows) rows staged, \(accounted) accounted for")
        }
        if outcome.rejectedRows > 0 { try rejectInconsistentRows() }
        try ClaimStage.drop(db)
    }

    /// Writes the raw lines of the rows rejected at claim level, re-reading the file for them.
    private func rejectInconsistentRows() throws {
        let reader = try context.reopen()
        // Both in line order: the reader is advanced to each rejected row's line.
        try ClaimStage.forEachRejectedRow(context.db) { line, column, message in
            while reader.lineNumber != line {
                guard try reader.next() else {
                    throw IngestError.countsDoNotAddUp(path: context.path, detail: "the file changed while it was being loaded")
                }
            }
            try context.rejects.add(line: line, column: column, kind: .inconsistentHeader, message: message, raw: reader.rawRecord)
        }
    }
}
