import DelimitedText
import X12

#if canImport(Glibc)
import Glibc
#endif
import History
import SQLiteDB

/// Loads extract files into the member history, one transaction per file.
///
/// For each file: the header is mapped, every row is stored or rejected with its line and reason
/// while the file's SHA-256 is computed from the same bytes; a file whose kind and bytes are in the
/// load ledger changes nothing; otherwise the ledger entry, rows and rejects file are committed
/// together. A file that fails leaves the
/// database exactly as it was.
public final class ExtractLoader {
    public struct Options: Sendable {
        /// `,`, `|` or tab; nil detects it from the header line.
        public var delimiter: UInt8?
        /// Where `<file name>.rejects.csv` files are written.
        public var rejectsDirectory: String
        /// How often progress is reported, in rows.
        public var progressEvery: Int
        public var clock: Clock
        /// Loads every claims file through the stage, even one whose claims are adjacent (the
        /// stored result is the same; for comparing the two paths).
        public var stagedClaims: Bool
        /// Reads a streamed claims file on a second thread while the claims are written (the
        /// stored result is the same; false reads and writes on the calling thread).
        public var parallelRead: Bool
        /// Rows per batch handed from reading to writing (memory: a few batches of rows).
        public var readBatchRows: Int

        public init(delimiter: UInt8? = nil, rejectsDirectory: String = ".", progressEvery: Int = 100_000, clock: Clock = .system,
                    stagedClaims: Bool = false, parallelRead: Bool = true, readBatchRows: Int = 512) {
            self.delimiter = delimiter
            self.rejectsDirectory = rejectsDirectory
            self.progressEvery = progressEvery
            self.clock = clock
            self.stagedClaims = stagedClaims
            self.parallelRead = parallelRead
            self.readBatchRows = max(1, readBatchRows)
        }
    }

    private let db: Connection
    private let options: Options
    private let progress: ((LoadProgress) -> Void)?

    public init(db: Connection, options: Options = Options(), progress: ((LoadProgress) -> Void)? = nil) {
        self.db = db
        self.options = options
        self.progress = progress
    }

    /// Loads one file.
    ///
    /// - Throws: `IngestError` for a file that cannot be loaded; `SQLiteError` (locked, read-only,
    ///   disk full); `ReadError` when the rejects file cannot be written. The database is unchanged.
    ///
    /// A claims file is first loaded claim by claim as it is read (`ClaimStream`); when a claim's
    /// rows turn out not to be together, that attempt is rolled back and the file is read again
    /// and loaded through the stage (`ClaimStage`), with the same result.
    public func load(path: String, kind: ExtractKind) throws -> LoadReport {
        if !options.stagedClaims {
            do {
                return try load(path: path, kind: kind, streamed: true)
            } catch is ClaimStream.NotAdjacent {
                // Rolled back: nothing of the attempt is kept.
            }
        }
        if kind == .claims { claimFilesStaged += 1 }
        return try load(path: path, kind: kind, streamed: false)
    }

    /// How many claims files this loader has loaded through the stage (claims not adjacent, or
    /// `Options.stagedClaims`).
    public private(set) var claimFilesStaged = 0

    /// Loads one file; `streamed` applies claims as their rows end (`ClaimLoader`), and throws
    /// `ClaimStream.NotAdjacent`, with nothing changed, when a claim's rows are not together.
    private func load(path: String, kind: ExtractKind, streamed: Bool) throws -> LoadReport {
        let ledger = LoadLedger(db)
        // The file is read once: its SHA-256 is computed as the reader parses it, and the ledger's
        // same-bytes check runs after parsing, inside the transaction. Only a file whose kind and
        // size match a ledger entry can be one already loaded: that one is hashed first, so a
        // re-run of loaded files stays a read of each file, with nothing parsed.
        let digest = StreamDigest()
        let opened: (source: any ByteSource, raw: ObservedSource)
        do {
            opened = try ExtractFile.open(path, observer: digest.update)
            if try ledger.hasEntry(kind: kind.rawValue, fileSize: opened.raw.size),
               let earlier = try ledger.find(kind: kind.rawValue, sha256: FileDigest.sha256(path: path)) {
                return Self.alreadyLoaded(path: path, kind: kind, earlier: earlier, bytes: opened.raw.size)
            }
        } catch let error as ReadError {
            throw IngestError.unreadable(path: path, reason: error.reason)
        }
        let size = opened.raw.size

        let format = ExtractFormat.detect(path: path)
        let reader: any RecordSource
        let columns: ColumnMap
        let delimiter = options.delimiter
        switch format {
        case .delimited:
            let csv = CSVReader(source: opened.source, delimiter: delimiter)
            columns = try Self.readHeader(csv, kind: kind, path: path)
            reader = csv
        case .x12:
            guard kind == .claims else {
                throw IngestError.badX12(path: path, reason: "an X12 file holds claims (837P/837I); load it with `lbp load claims`")
            }
            reader = X12RecordSource(source: opened.source)
            columns = try ColumnMap(header: MedicalClaimRow.columns, kind: .claims, path: path)
        }
        /// A fresh reader over the same file, positioned on its first record (for a second pass).
        let reopen: () throws -> any RecordSource = {
            let again = try ExtractFile.open(path)
            switch format {
            case .delimited:
                let csv = CSVReader(source: again.source, delimiter: delimiter)
                _ = try csv.readHeader()
                return csv
            case .x12:
                return X12RecordSource(source: again.source)
            }
        }

        let fileName = Self.baseName(path)
        let rejects = RejectLog(path: options.rejectsDirectory + "/" + fileName + ".rejects.csv", sourceFile: path)
        var report = LoadReport(file: path, kind: kind, status: .loaded, loadID: 0, sha256: "", bytes: size)
        report.ignoredColumns = columns.ignored
        switch reader {
        case let csv as CSVReader: report.delimiter = String(UnicodeScalar(csv.delimiter))
        default: report.format = .x12; report.delimiter = ""
        }
        let context = LoadContext(
            db: db, reader: reader, reopen: reopen, columns: columns, rejects: rejects, path: path, totalBytes: size,
            progressEvery: options.progressEvery, progress: progress)
        var loadedMeanwhile: LedgerEntry?
        do {
            try LoadSettings.during(db) { try db.transaction(.immediate) {
                rejects.removeStaleTemporaryFiles()
                report.loadID = try ledger.begin(kind: kind.rawValue, fileName: fileName, loadedAt: options.clock.timestamp())
                switch kind {
                case .eligibility: try EligibilityLoader(context: context, loadID: report.loadID).run(into: &report)
                case .claims:
                    try ClaimLoader(context: context, loadID: report.loadID, streamed: streamed,
                                    parallel: options.parallelRead, batchRows: options.readBatchRows)
                        .run(into: &report)
                }
                try opened.raw.drain()
                report.sha256 = digest.finalize()
                report.bytes = opened.raw.bytesConsumed
                // The same bytes may be in the ledger already: loaded by another process while this
                // one waited for the lock (or before, when the file's size changed since). Nothing
                // of this load is kept.
                if let earlier = try ledger.find(kind: kind.rawValue, sha256: report.sha256) {
                    loadedMeanwhile = earlier
                    throw AlreadyInLedger()
                }
                if let x12 = reader as? X12RecordSource { report.envelopeWarnings = x12.reader.warnings }
                report.rowsRejected = rejects.count
                report.rejectsByKind = rejects.byKind
                report.rowsLoaded = report.rowsRead - report.rowsRejected
                try ledger.finish(LedgerEntry(
                    loadID: report.loadID, kind: kind.rawValue, fileName: fileName, fileSize: report.bytes,
                    sha256: report.sha256, rowsRead: report.rowsRead, rowsLoaded: report.rowsLoaded,
                    rowsRejected: report.rowsRejected, warnings: report.warnings, claimsStored: report.claimsStored,
                    claimsReplaced: report.claimsReplaced, claimsVoided: report.claimsVoided, loadedAt: ""))
                // The rejects file goes into place before the commit, so a committed load always has
                // it; if the commit fails, it is removed again below.
                report.rejectsFile = try rejects.commit()
            } }
        } catch is AlreadyInLedger {
            // Rolled back; reported below.
        } catch let error as ClaimStream.NotAdjacent {
            rejects.discard()
            throw error
        } catch {
            rejects.discard()
            if let placed = report.rejectsFile { unlink(placed) }
            if let error = error as? ReadError { throw IngestError.unreadable(path: error.path, reason: error.reason) }
            if let error = error as? X12Error { throw IngestError.badX12(path: path, reason: error.description) }
            throw error
        }
        if let earlier = loadedMeanwhile {
            rejects.discard()
            return Self.alreadyLoaded(path: path, kind: kind, earlier: earlier, bytes: report.bytes)
        }
        return report
    }

    /// Thrown inside the load's transaction to roll it back when the file's bytes are in the ledger.
    private struct AlreadyInLedger: Error {}

    /// Reads a delimited file's header and maps it.
    private static func readHeader(_ reader: CSVReader, kind: ExtractKind, path: String) throws -> ColumnMap {
        let header: [String]
        do {
            header = try reader.readHeader()
        } catch let error as CSVHeaderError {
            throw IngestError.notText(path: path, reason: error.message)
        } catch let error as ReadError {
            throw IngestError.notText(path: path, reason: error.reason)
        }
        guard !header.isEmpty else { throw IngestError.emptyFile(path: path) }
        return try ColumnMap(header: header, kind: kind, path: path)
    }

    private static func alreadyLoaded(path: String, kind: ExtractKind, earlier: LedgerEntry, bytes: Int64) -> LoadReport {
        var report = LoadReport(file: path, kind: kind, status: .alreadyLoaded, loadID: earlier.loadID, sha256: earlier.sha256, bytes: bytes)
        report.rowsRead = earlier.rowsRead
        report.rowsLoaded = earlier.rowsLoaded
        report.rowsRejected = earlier.rowsRejected
        return report
    }

    static func baseName(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? path
    }
}

/// What a kind-specific loader needs from the driver.
struct LoadContext {
    let db: Connection
    let reader: any RecordSource
    /// A fresh reader over the same file, on its first record (for a second pass over raw lines).
    let reopen: () throws -> any RecordSource
    let columns: ColumnMap
    let rejects: RejectLog
    let path: String
    let totalBytes: Int64
    let progressEvery: Int
    let progress: ((LoadProgress) -> Void)?

    func reportProgress(rows: Int) {
        guard let progress, rows % progressEvery == 0 else { return }
        progress(LoadProgress(file: path, rowsRead: rows, bytesConsumed: reader.bytesConsumed, totalBytes: totalBytes))
    }

    /// Reads every record: counts it, reports progress, rejects the malformed ones, and passes the
    /// others to `row`; a `RowProblem` thrown by `row` rejects that row. Returns the rows read.
    func forEachRow(_ row: () throws -> Void) throws -> Int {
        var rows = 0
        while try reader.next() {
            rows += 1
            reportProgress(rows: rows)
            do {
                if let problem = structuralProblem() { throw problem }
                try row()
            } catch let problem as RowProblem {
                try reject(problem)
            }
        }
        return rows
    }

    /// Rejects the reader's current record.
    func reject(_ problem: RowProblem) throws {
        try rejects.add(line: reader.lineNumber, column: problem.column, kind: problem.kind, message: problem.message, raw: reader.rawRecord)
    }

    /// The record's structural problem (bad quoting, NUL, wrong field count), if any.
    func structuralProblem() -> RowProblem? {
        if let problem = reader.recordProblem { return problem }
        if reader.fieldCount != columns.count {
            return RowProblem(column: "", kind: .malformedRow, message: "expected \(columns.count) fields, found \(reader.fieldCount)")
        }
        return nil
    }
}
