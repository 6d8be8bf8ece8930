import Foundation
import History
import Hummingbird
import Policy

/// The query parameters of the read routes, checked: bad values are a 400 naming the parameter.
struct QueryParameters {
    private let values: [String: String]

    init(_ request: Request) {
        var values: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { values[String(key)] = String(value) }
        self.values = values
    }

    /// A date parameter (`YYYY-MM-DD` or `YYYYMMDD`), nil when absent or empty.
    func day(_ name: String) throws -> Day? {
        guard let text = values[name], !text.isEmpty else { return nil }
        guard let day = Day(iso: text) else { throw ServiceError.badRequest("\(name) must be a date in YYYY-MM-DD or YYYYMMDD form") }
        return day
    }

    /// `outcome`: ALLOW or DENY (any case).
    func outcome() throws -> Outcome? {
        guard let text = values["outcome"], !text.isEmpty else { return nil }
        guard let outcome = Outcome(rawValue: text.uppercased()) else { throw ServiceError.badRequest("outcome must be ALLOW or DENY") }
        return outcome
    }

    /// `reason`: a reason code (letters, digits and `_`, upper-cased).
    func reason() throws -> String? {
        guard let text = values["reason"], !text.isEmpty else { return nil }
        guard text.count <= 64, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw ServiceError.badRequest("reason must be a reason code such as LBP_IMAGING_WITHIN_28_DAYS")
        }
        return text.uppercased()
    }

    /// `limit`: 1 ... `maximum`, else `standard`.
    func limit(standard: Int, maximum: Int) throws -> Int {
        guard let text = values["limit"], !text.isEmpty else { return standard }
        guard text.count <= 6, let value = Int(text), (1...maximum).contains(value) else {
            throw ServiceError.badRequest("limit must be a whole number from 1 to \(maximum)")
        }
        return value
    }

    /// `cursor`: where the previous page ended, as this service wrote it.
    func cursor() throws -> DecisionCursor? {
        guard let text = values["cursor"], !text.isEmpty else { return nil }
        guard let cursor = CursorCoding.decode(text) else { throw ServiceError.badRequest("cursor is not one this service gave (use next_cursor as is)") }
        return cursor
    }

    /// `from` ... `to` as a checked range (from not after to).
    func dateRange() throws -> (from: Day?, to: Day?) {
        let from = try day("from"), to = try day("to")
        if let from, let to, from > to { throw ServiceError.badRequest("from must not be after to") }
        return (from, to)
    }
}

/// The opaque page cursor: base64url of the last claim id and line number.
enum CursorCoding {
    static func encode(_ cursor: DecisionCursor) -> String {
        let text = "\(cursor.lineNumber)\u{1F}\(cursor.claimID)"
        return Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String) -> DecisionCursor? {
        guard text.count <= 4_096 else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let decoded = String(data: data, encoding: .utf8),
              let separator = decoded.firstIndex(of: "\u{1F}"),
              let line = Int(decoded[..<separator]), line > 0 else { return nil }
        let claimID = String(decoded[decoded.index(after: separator)...])
        guard !claimID.isEmpty else { return nil }
        return DecisionCursor(claimID: claimID, lineNumber: line)
    }
}
