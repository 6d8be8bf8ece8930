import DelimitedText
import History
import HTTPTypes
import Hummingbird
import Policy
import Reports

/// `GET /v1/decisions?outcome&reason&from&to&cursor&limit`: a page of current decisions, by claim
/// id then line number, with counts by outcome and reason over everything the filters match.
/// With `Accept: text/csv` the same page as CSV; the next page's cursor is then in the
/// `X-Next-Cursor` header.
struct DecisionsController {
    let pool: ReadPool

    func register(on router: Router<AppRequestContext>) {
        router.get("/v1/decisions", use: list)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = QueryParameters(request)
        let range = try query.dateRange()
        let filter = DecisionFilter(serviceFrom: range.from, serviceTo: range.to, outcome: try query.outcome(), reason: try query.reason())
        let limit = try query.limit(standard: ServiceLimits.defaultPageSize, maximum: ServiceLimits.maxPageSize)
        let cursor = try query.cursor()
        let page = try await pool.read { db -> DecisionsPage in
            let queries = DecisionQueries(db)
            // One row more than asked tells whether there is a next page.
            var decisions = try queries.page(filter, after: cursor, limit: limit + 1)
            let more = decisions.count > limit
            if more { decisions.removeLast() }
            let lineage = try Lineage(db: db)
            let next = more ? decisions.last.map { CursorCoding.encode(DecisionCursor(claimID: $0.line.claimID, lineNumber: $0.line.lineNumber)) } : nil
            return DecisionsPage(decisions: decisions.map { DecisionJSON($0, lineage: lineage) },
                                 facets: try queries.facets(filter).map(DecisionsPage.Facet.init), nextCursor: next)
        }
        if Self.wantsCSV(request) {
            var headers: HTTPFields = [:]
            if let next = page.nextCursor, let name = HTTPField.Name("X-Next-Cursor") { headers[name] = next }
            return JSONAnswer.body(Array(page.csv().utf8), contentType: "text/csv; charset=utf-8", extraHeaders: headers)
        }
        return JSONAnswer.response(page)
    }

    static func wantsCSV(_ request: Request) -> Bool {
        (request.headers[.accept] ?? "").lowercased().contains("text/csv")
    }
}

/// One page of decisions.
struct DecisionsPage: Encodable, Sendable {
    struct Facet: Encodable, Sendable {
        let outcome: String
        let reason: String
        let count: Int
        init(_ facet: ReasonFacet) {
            outcome = facet.outcome
            reason = facet.reason
            count = facet.count
        }
    }

    let decisions: [DecisionJSON]
    let facets: [Facet]
    let nextCursor: String?

    /// Decisions matching the filters, over all pages.
    var total: Int { facets.reduce(0) { $0 + $1.count } }

    enum CodingKeys: String, CodingKey { case decisions, facets, total, nextCursor = "next_cursor" }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(decisions, forKey: .decisions)
        try c.encode(facets, forKey: .facets)
        try c.encode(total, forKey: .total)
        try c.encode(nextCursor, forKey: .nextCursor)
    }

    static let csvHeader = [
        "claim_id", "claim_line_number", "member_id", "service_date", "hcpcs_code", "outcome", "reason", "index_date",
        "window_end", "claim_type", "red_flags", "group_code", "carc", "rarc", "policy_id", "policy_version", "decided_at",
        "decision_id", "rationale",
    ]

    /// The page as CSV (RFC 4180, header first), without the evidence.
    func csv() -> String {
        var out = Self.csvHeader.joined(separator: ",") + "\r\n"
        for d in decisions {
            let fields = [d.claimID, String(d.lineNumber), d.memberID, d.serviceDate, d.hcpcsCode, d.outcome, d.reason,
                          d.indexDate ?? "", d.windowEnd ?? "", d.claimType, d.redFlags.joined(separator: ";"), d.groupCode ?? "",
                          d.carc ?? "", d.rarc ?? "", d.policyID, d.policyVersion, d.decidedAt ?? "",
                          d.decisionID.map(String.init) ?? "", d.rationale]
            out += fields.map(CSVWriter.escape).joined(separator: ",") + "\r\n"
        }
        return out
    }
}
