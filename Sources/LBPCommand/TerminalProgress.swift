import Foundation
import Ingest

#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress meter on stderr (rows, rate, percent of bytes), shown only on a terminal.
final class TerminalProgress {
    private let started = Date()
    private var lastDraw = Date.distantPast
    private var drawn = false

    /// A meter when stderr is a terminal and progress is wanted; nil on a pipe or file.
    static func forStderr(enabled: Bool) -> TerminalProgress? {
        enabled && isatty(2) == 1 ? TerminalProgress() : nil
    }

    func update(_ progress: LoadProgress) {
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.25 else { return }
        lastDraw = now
        let seconds = max(now.timeIntervalSince(started), 0.001)
        let rate = Int(Double(progress.rowsRead) / seconds)
        let percent = progress.totalBytes > 0 ? Int(100 * Double(progress.bytesConsumed) / Double(progress.totalBytes)) : 0
        printToStderr("\r\u{1B}[K  \(progress.rowsRead) rows, \(rate) rows/s, \(min(percent, 100))% of \(progress.file)")
        drawn = true
    }

    /// Clears the meter's line.
    func finish() {
        if drawn { printToStderr("\r\u{1B}[K") }
        drawn = false
    }
}
