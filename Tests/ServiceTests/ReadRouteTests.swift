import Foundation
import History
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Policy
import Testing

/// The adjudicator routes over the sample book: health, the document, the page, lines,
/// timelines and pages of decisions, with their error statuses.
struct ReadRouteTests {
    /// The expected decisions of the sample book after all three months (Samples/expected_decisions.csv).
    static let expected: [(claim: String, line: Int, outcome: String, reason: String)] = {
        let text = (try? String(contentsOf: samplesFolder.appendingPathComponent("expected_decisions.csv"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").dropFirst().map { row in
            let f = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return (f[0], Int(f[1])!, f[3], f[4])
        }
    }()

    @Test func healthSaysWhatTheHistoryHolds() async throws {
        let book = try SampleBook()
        try await makeApp(book).test(.router) { client in
            try await client.execute(uri: "/v1/health", method: .get, headers: authorized()) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.cacheControl] == "no-store")
                let body = response.object()
                #expect(body["status"] as? String == "ok")
                #expect((body["policy"] as? [String: Any])?["id"] as? String == "LBP-IMAGING-001")
                let load = body["last_load"] as? [String: Any]
                #expect(load?["load_id"] as? Int == 4)
                #expect(load?["file_name"] as? String == "medical_claim_2024_03.csv")
                #expect((body["last_decide_run"] as? [String: Any])?["lines_decided"] as? Int == Self.expected.count)
            }
        }
    }

    @Test func documentAndPage() async throws {
        let book = try SampleBook(months: 1, decide: false)
        try await makeApp(book).test(.router) { client in
            try await client.execute(uri: "/v1/openapi.json", method: .get, headers: authorized()) { response in
                #expect(response.status == .ok)
                let body = response.object()
                #expect(body["openapi"] as? String == "3.1.0")
                #expect((body["paths"] as? [String: Any])?.keys.sorted() == [
                    "/", "/v1/check", "/v1/check/batch", "/v1/decisions", "/v1/health", "/v1/lines/{claim_id}",
                    "/v1/lines/{claim_id}/{line}", "/v1/members/{member_id}/timeline", "/v1/openapi.json",
                ])
            }
            // The page needs no token; it holds no data.
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(response.headers[.cacheControl] == "no-store")
                #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
                #expect(response.text.contains("<title>lbp: imaging for low back pain</title>"))
                #expect(!response.text.contains("<script src") && !response.text.contains("<link") && !response.text.contains("https://"), "no outside resources")
            }
        }
    }

    @Test func oneLineWithEvidenceExplanationAndLineage() async throws {
        let book = try SampleBook()
        try await makeApp(book).test(.router) { client in
            try await client.execute(uri: "/v1/lines/C01102/1", method: .get, headers: authorized()) { response in
                #expect(response.status == .ok)
                let body = response.object()
                #expect(body["outcome"] as? String == "ALLOW")
                #expect(body["reason"] as? String == "RED_FLAG_TRAUMA")
                #expect(body["member_id"] as? String == "M011")
                #expect(body["index_date"] as? String == "2024-02-05")
                #expect(body["window_end"] as? String == "2024-03-04")
                #expect(body["red_flags"] as? [String] == ["RED_FLAG_TRAUMA"])
                #expect(body["group_code"] is NSNull)
                #expect((body["line_source"] as? [String: Any])?["file"] as? String == "medical_claim_2024_02.csv")
                let trauma = objects(body["evidence"]).first { $0["rule"] as? String == "RED_FLAG_TRAUMA" }
                #expect(trauma?["finding"] as? String == "found")
                #expect(trauma?["code"] as? String == "S32000A")
                #expect(trauma?["date"] as? String == "2024-02-15")
                #expect((trauma?["source"] as? [String: Any])?["file"] as? String == "medical_claim_2024_03.csv")
                #expect((body["rationale"] as? String)?.contains("red flag recent trauma (S32000A on 2024-02-15") == true)
                #expect((body["explanation"] as? String)?.contains("Claim C01102 line 1: ALLOW RED_FLAG_TRAUMA") == true)
                #expect((body["history"] as? [Any])?.isEmpty == true)
            }
            for (uri, status) in [("/v1/lines/C01102/9", HTTPResponse.Status.notFound), ("/v1/lines/NOPE/1", .notFound),
                                  ("/v1/lines/C01102/x", .badRequest), ("/v1/lines/C01102/0", .badRequest),
                                  ("/v1/lines/C01102/99999999999999", .badRequest), ("/v1/lines/NOPE", .notFound)] {
                try await client.execute(uri: uri, method: .get, headers: authorized()) { response in
                    #expect(response.status == status, "\(uri)")
                    #expect(response.object()["error"] is String, "\(uri)")
                    #expect(response.headers[.cacheControl] == "no-store")
                }
            }
        }
    }

    @Test func aLineShowsHowItsDecisionChanged() async throws {
        // M011's x-ray: DENY after January and February; the March file's trauma claim makes it ALLOW.
        let book = try SampleBook(months: 2)
        try book.load(SampleBook.claimsFile(3), kind: .claims)
        try book.decide()
        try await makeApp(book).test(.router) { client in
            try await client.execute(uri: "/v1/lines/C01102/1", method: .get, headers: authorized()) { response in
                let history = objects(response.object()["history"])
                #expect(history.count == 1)
                #expect(history.first?["kind"] as? String == "outcome")
                #expect((history.first?["previous"] as? [String: Any])?["outcome"] as? String == "DENY")
                #expect((history.first?["new"] as? [String: Any])?["reason"] as? String == "RED_FLAG_TRAUMA")
            }
        }
    }

    @Test func everyDecidedLineOfAClaim() async throws {
        let book = try SampleBook()
        try await makeApp(book).test(.router) { client in
            try await client.execute(uri: "/v1/lines/C02101", method: .get, headers: authorized()) { response in
                #expect(response.status == .ok)
                let lines = objects(response.object()["lines"])
                #expect(lines.map { $0["claim_line_number"] as? Int } == [2, 3])
                #expect(lines.allSatisfy { $0["outcome"] as? String == "DENY" && $0["carc"] as? String == "50" })
            }
            // A claim id with a slash, percent-encoded, is one path parameter (and unknown here).
            try await client.execute(uri: "/v1/lines/C%2F1/1", method: .get, headers: authorized()) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func memberTimeline() async throws {
        let book = try SampleBook()
        try await makeApp(book).test(.router) { client in
            try await client.execute(uri: "/v1/members/M011/timeline", method: .get, headers: authorized()) { response in
                #expect(response.status == .ok)
                let body = response.object()
                #expect(body["member_id"] as? String == "M011")
                #expect(objects(body["spans"]).map { $0["start"] as? String } == ["2023-01-01"])
                let events = objects(body["events"])
                let trauma = events.first { $0["value_set"] as? String == "TRAUMA" }
                #expect(trauma?["date"] as? String == "2024-02-15")
                #expect(trauma?["role"] as? String == "red_flag")
                #expect(trauma?["reason"] as? String == "RED_FLAG_TRAUMA")
                #expect(events.contains { $0["role"] as? String == "episode" && $0["date"] as? String == "2024-02-05" })
                let lines = objects(body["imaging_lines"])
                #expect(lines.count == 1)
                #expect((lines.first?["decision"] as? [String: Any])?["reason"] as? String == "RED_FLAG_TRAUMA")
                let windows = objects(lines.first?["windows"])
                let imaging = windows.first { $0["rule"] as? String == "IMAGING" }
                #expect(imaging?["start"] as? String == "2024-02-05" && imaging?["end"] as? String == "2024-03-04")
                let prior = windows.first { $0["rule"] as? String == "PRIOR_LBP" }
                #expect(prior?["start"] as? String == "2023-08-09" && prior?["end"] as? String == "2024-02-04")
                #expect(windows.first { $0["rule"] as? String == "RED_FLAG_CANCER" }?["start"] is NSNull)
            }
            // A range that ends before the trauma leaves it out.
            try await client.execute(uri: "/v1/members/M011/timeline?from=2024-02-01&to=2024-02-10", method: .get, headers: authorized()) { response in
                let body = response.object()
                #expect(body["from"] as? String == "2024-02-01")
                #expect(!objects(body["events"]).contains { $0["value_set"] as? String == "TRAUMA" })
                #expect(objects(body["imaging_lines"]).count == 1)
            }
            for (uri, status) in [("/v1/members/NOBODY/timeline", HTTPResponse.Status.notFound),
                                  ("/v1/members/M011/timeline?from=2024-02-30", .badRequest),
                                  ("/v1/members/M011/timeline?from=2024-03-01&to=2024-02-01", .badRequest)] {
                try await client.execute(uri: uri, method: .get, headers: authorized()) { response in
                    #expect(response.status == status, "\(uri)")
                    #expect(response.object()["error"] is String)
                }
            }
        }
    }

    @Test func pagesOfDecisionsWithFacets() async throws {
        let book = try SampleBook()
        try await makeApp(book).test(.router) { client in
            // Everything, in pages of 5, following the cursor.
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let uri = "/v1/decisions?limit=5" + (cursor.map { "&cursor=\($0)" } ?? "")
                cursor = try await client.execute(uri: uri, method: .get, headers: authorized()) { response in
                    #expect(response.status == .ok)
                    let body = response.object()
                    #expect(body["total"] as? Int == Self.expected.count)
                    let facets = objects(body["facets"])
                    #expect(facets.first { $0["reason"] as? String == "LBP_IMAGING_WITHIN_28_DAYS" }?["count"] as? Int
                            == Self.expected.filter { $0.outcome == "DENY" }.count)
                    seen += objects(body["decisions"]).map { "\($0["claim_id"] as? String ?? "")/\($0["claim_line_number"] as? Int ?? 0)" }
                    return body["next_cursor"] as? String
                }
                pages += 1
            } while cursor != nil && pages < 20
            #expect(seen == Self.expected.map { "\($0.claim)/\($0.line)" })
            #expect(pages == (Self.expected.count + 4) / 5)

            // Filters: outcome, reason, service dates.
            var februaryDenials: [String] = []
            try DecisionStore(book.db).forEachCurrent(DecisionFilter(serviceFrom: Day(iso: "2024-02-01"), serviceTo: Day(iso: "2024-02-29"),
                                                                     outcome: .deny), withEvidence: false) { februaryDenials.append($0.line.claimID) }
            #expect(februaryDenials.count >= 2)
            try await client.execute(uri: "/v1/decisions?outcome=deny&from=2024-02-01&to=2024-02-29", method: .get, headers: authorized()) { response in
                let body = response.object()
                let claims = objects(body["decisions"]).map { $0["claim_id"] as? String ?? "" }
                #expect(claims == februaryDenials)
                #expect(objects(body["decisions"]).allSatisfy { $0["outcome"] as? String == "DENY" && ($0["service_date"] as? String ?? "").hasPrefix("2024-02") })
                #expect(objects(body["facets"]).map { $0["reason"] as? String } == ["LBP_IMAGING_WITHIN_28_DAYS"])
            }
            try await client.execute(uri: "/v1/decisions?reason=RED_FLAG_TRAUMA", method: .get, headers: authorized()) { response in
                #expect(objects(response.object()["decisions"]).map { $0["claim_id"] as? String } == ["C01002", "C01102", "C01703"])
            }
            // The same page as CSV, the next cursor in a header.
            try await client.execute(uri: "/v1/decisions?limit=3", method: .get, headers: authorized(accept: "text/csv")) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/csv; charset=utf-8")
                let rows = response.text.split(separator: "\r\n")
                #expect(rows.count == 4)
                #expect(rows.first?.hasPrefix("claim_id,claim_line_number,member_id,service_date") == true)
                #expect(rows.dropFirst().first?.hasPrefix("C00102,1,M001,2024-01-12,72100,ALLOW,PRIMARY_DX_NOT_LBP") == true)
                #expect(response.headers[HTTPField.Name("X-Next-Cursor")!] != nil)
            }
            for uri in ["/v1/decisions?outcome=MAYBE", "/v1/decisions?limit=0", "/v1/decisions?limit=501", "/v1/decisions?cursor=%%%",
                        "/v1/decisions?cursor=bm9wZQ", "/v1/decisions?from=yesterday", "/v1/decisions?reason=a%20b"] {
                try await client.execute(uri: uri, method: .get, headers: authorized()) { response in
                    #expect(response.status == .badRequest, "\(uri)")
                    #expect(response.object()["error"] is String)
                }
            }
        }
    }

    @Test func unknownRoutesAndMethods() async throws {
        let book = try SampleBook(months: 1, decide: false)
        try await makeApp(book).test(.router) { client in
            try await client.execute(uri: "/v1/nothing", method: .get, headers: authorized()) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.cacheControl] == "no-store")
                #expect(response.object()["error"] as? String == "no such resource (see GET /v1/openapi.json for the routes)")
            }
            // Without the token, nothing under /v1 is told apart: 401 for unknown routes too.
            try await client.execute(uri: "/v1/nothing", method: .get) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/v1/health", method: .delete, headers: authorized()) { response in
                #expect(response.status == .notFound || response.status == .methodNotAllowed)
                #expect(response.object()["error"] is String)
            }
        }
    }
}
