import Foundation
import History
import Hummingbird
import HummingbirdTesting
import Policy
import SQLiteDB
import Testing
import TestSupport

/// `POST /v1/check` and `/v1/check/batch`: the same decisions as `lbp decide` for stored claims,
/// what-ifs that store nothing, and every way a body can be refused.
struct CheckRouteTests {
    /// A stored claim as a check body (`{"claim": {...}}`), read back from the history's tables.
    static func body(of claimID: String, in db: Connection) throws -> [String: Any] {
        var claim: [String: Any] = ["claim_id": claimID]
        try db.forEach("SELECT claim_type, member_id, start_day, end_day, dx_code_type, frequency_code FROM claim WHERE claim_id = ?",
                       [.text(claimID)]) { row in
            claim["claim_type"] = row.text(0)
            claim["member_id"] = row.text(1)
            claim["claim_start_date"] = Day(number: row.int32(2)).iso
            claim["claim_end_date"] = row.optionalInt32(3).map { Day(number: $0).iso } ?? ""
            claim["diagnosis_code_type"] = row.text(4)
            claim["claim_frequency_code"] = row.optionalText(5) ?? ""
        }
        var diagnoses: [String] = []
        try db.forEach("SELECT position, code FROM claim_diagnosis WHERE claim_id = ? ORDER BY position", [.text(claimID)]) { row in
            while diagnoses.count < row.int(0) - 1 { diagnoses.append("") }
            diagnoses.append(row.text(1))
        }
        claim["diagnoses"] = diagnoses
        var lines: [[String: Any]] = []
        try db.forEach("""
            SELECT line_number, line_start_day, coalesce(hcpcs_code, ''), coalesce(revenue_center_code, ''),
                coalesce(charge_amount, ''), coalesce(bill_type_code, ''), coalesce(place_of_service_code, ''),
                coalesce(hcpcs_modifier_1, '')
            FROM claim_line WHERE claim_id = ? ORDER BY line_number
            """, [.text(claimID)]) { row in
            lines.append(["claim_line_number": row.int(0), "claim_line_start_date": row.optionalInt32(1).map { Day(number: $0).iso } ?? "",
                          "hcpcs_code": row.text(2), "revenue_center_code": row.text(3), "charge_amount": row.text(4),
                          "bill_type_code": row.text(5), "place_of_service_code": row.text(6), "hcpcs_modifier_1": row.text(7)])
        }
        claim["lines"] = lines
        return ["claim": claim]
    }

    static func json(_ value: Any) throws -> ByteBuffer {
        ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]))
    }

    @Test func aCheckOfEveryStoredClaimEqualsItsStoredDecisions() async throws {
        let book = try SampleBook()
        var claimIDs: [String] = []
        try book.db.forEach("SELECT claim_id FROM claim ORDER BY claim_id") { claimIDs.append($0.text(0)) }
        #expect(claimIDs.count > 40)
        let requests = try claimIDs.map { ($0, try Self.json(try Self.body(of: $0, in: book.db))) }
        let answers = try await makeApp(book).test(.router) { client in
            var answers: [(String, String)] = []
            for (claimID, body) in requests {
                answers.append((claimID, try await client.execute(uri: "/v1/check", method: .post, headers: authorized("application/json"), body: body) {
                    #expect($0.status == .ok, "\(claimID): \($0.text)")
                    return $0.text
                }))
            }
            return answers
        }
        var compared = 0
        for (claimID, text) in answers {
                let answer = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
                #expect(answer["claim_id"] as? String == claimID)
                #expect(answer["void"] as? Bool == false)
                #expect((answer["history"] as? [String: Any])?["last_load_id"] as? Int == 4)
                for line in objects(answer["lines"]) {
                    let number = line["claim_line_number"] as? Int ?? 0
                    let stored = try book.decision(claimID, number)
                    #expect((line["imaging"] as? Bool) == (stored != nil), "\(claimID) line \(number)")
                    guard let stored else {
                        #expect(line["outcome"] is NSNull && line["rationale"] is NSNull)
                        continue
                    }
                    compared += 1
                    #expect(line["outcome"] as? String == stored.outcome.rawValue, "\(claimID) line \(number)")
                    #expect(line["reason"] as? String == stored.reason, "\(claimID) line \(number)")
                    #expect(line["index_date"] as? String == stored.indexDay?.iso, "\(claimID) line \(number)")
                    #expect(line["window_end"] as? String == stored.windowEndDay?.iso, "\(claimID) line \(number)")
                    #expect(line["red_flags"] as? [String] == stored.redFlags, "\(claimID) line \(number)")
                    #expect(line["carc"] as? String == stored.denial?.carc, "\(claimID) line \(number)")
                    #expect((line["rationale"] as? String)?.isEmpty == false)
                }
        }
        #expect(compared == ReadRouteTests.expected.count)
    }

    @Test func whatIfATraumaDiagnosisIsAddedToADeniedClaim() async throws {
        let book = try SampleBook()
        let before = try #require(try book.decision("C00701", 2))
        #expect(before.outcome == .deny)
        var body = try Self.body(of: "C00701", in: book.db)
        var claim = body["claim"] as! [String: Any]
        claim["diagnoses"] = (claim["diagnoses"] as! [String]) + ["S32.000A"]
        body["claim"] = claim
        let request = try Self.json(body)
        try await makeApp(book).test(.router) { client in
            try await client.execute(uri: "/v1/check", method: .post, headers: authorized("application/json"), body: request) { response in
                #expect(response.status == .ok)
                let line = objects(response.object()["lines"]).first { $0["claim_line_number"] as? Int == 2 }
                #expect(line?["outcome"] as? String == "ALLOW")
                #expect(line?["reason"] as? String == "RED_FLAG_TRAUMA")
                #expect(line?["red_flags"] as? [String] == ["RED_FLAG_TRAUMA"])
                let trauma = objects(line?["evidence"]).first { $0["rule"] as? String == "RED_FLAG_TRAUMA" }
                #expect(trauma?["code"] as? String == "S32000A")
                #expect(trauma?["claim_id"] as? String == "C00701")
                #expect(trauma?["source"] is NSNull, "the checked claim is not from any extract file")
            }
            // The stored decision is unchanged.
            try await client.execute(uri: "/v1/lines/C00701/2", method: .get, headers: authorized()) { response in
                #expect(response.object()["outcome"] as? String == "DENY")
            }
        }
        let after = try #require(try book.decision("C00701", 2))
        #expect(after == before)
        #expect(try book.db.scalarInt("SELECT count(*) FROM claim_diagnosis WHERE claim_id = 'C00701'") == 1)
    }

    @Test func aClaimAsCSVInTheExtractLayout() async throws {
        let book = try SampleBook()
        let file = try String(contentsOfFile: SampleBook.claimsFile(2), encoding: .utf8)
        let rows = file.split(separator: "\n")
        let csv = ([rows[0]] + rows.filter { $0.hasPrefix("C01102,") }).joined(separator: "\n") + "\n"
        try await makeApp(book).test(.router) { client in
            try await client.execute(uri: "/v1/check", method: .post, headers: authorized("text/csv"), body: ByteBuffer(text: csv)) { response in
                #expect(response.status == .ok, "\(response.text)")
                let line = objects(response.object()["lines"]).first
                #expect(line?["outcome"] as? String == "ALLOW")
                #expect(line?["reason"] as? String == "RED_FLAG_TRAUMA")
            }
            // A bad date on the row of text line 3.
            let bad = "claim_id,claim_line_number,claim_type,member_id,claim_start_date,hcpcs_code,diagnosis_code_1\n"
                + "C9,1,professional,M011,2024-03-01,99213,M5450\nC9,2,professional,M011,2024-02-30,72100,M5450\n"
            try await client.execute(uri: "/v1/check", method: .post, headers: authorized("text/csv; charset=utf-8"), body: ByteBuffer(text: bad)) { response in
                #expect(response.status == .unprocessableContent)
                let body = response.object()
                #expect(body["line"] as? Int == 3)
                #expect(body["field"] as? String == "claim_start_date")
            }
            try await client.execute(uri: "/v1/check", method: .post, headers: authorized("text/csv"), body: ByteBuffer(text: "")) { response in
                #expect(response.status == .unprocessableContent)
            }
        }
    }

    static var goodClaim: [String: Any] { [
        "claim_id": "C9", "claim_type": "professional", "member_id": "M025", "claim_start_date": "2024-06-03",
        "claim_end_date": "2024-06-03", "claim_frequency_code": "1", "diagnosis_code_type": "icd-10-cm",
        "diagnoses": ["M54.50", "E11.9"], "place_of_service_code": "11", "bill_type_code": "",
        "lines": [["claim_line_number": 1, "claim_line_start_date": "2024-06-03", "hcpcs_code": "72148",
                   "revenue_center_code": "", "charge_amount": "250.00"],
                  ["claim_line_number": 2, "hcpcs_code": "99213", "charge_amount": 90]],
    ] }

    static func claim(_ change: (inout [String: Any]) -> Void) throws -> ByteBuffer {
        var claim = goodClaim
        change(&claim)
        return try json(["claim": claim])
    }

    @Test func theIssueExampleAndItsNonImagingLine() async throws {
        let book = try SampleBook()
        try await makeApp(book).test(.router) { client in
            try await client.execute(uri: "/v1/check", method: .post, headers: authorized("application/json"), body: try Self.claim { _ in }) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.cacheControl] == "no-store")
                let body = response.object()
                #expect((body["policy"] as? [String: Any])?["id"] as? String == "LBP-IMAGING-001")
                let lines = objects(body["lines"])
                #expect(lines.count == 2)
                // M025 has no low back pain in the history: a new episode, enrolled throughout.
                #expect(lines[0]["imaging"] as? Bool == true)
                #expect(lines[0]["outcome"] as? String == "DENY")
                #expect(lines[0]["reason"] as? String == "LBP_IMAGING_WITHIN_28_DAYS")
                #expect(lines[0]["group_code"] as? String == "CO" && lines[0]["rarc"] as? String == "N130")
                #expect((lines[0]["rationale"] as? String)?.hasPrefix("Not reimbursed (CO-50, N130): 72148 on 2024-06-03") == true)
                #expect(lines[1]["imaging"] as? Bool == false)
                #expect(lines[1]["outcome"] is NSNull && lines[1]["reason"] is NSNull && lines[1]["rationale"] is NSNull)
            }
            // A void decides nothing.
            try await client.execute(uri: "/v1/check", method: .post, headers: authorized("application/json"),
                                     body: try Self.claim { $0["claim_frequency_code"] = "8" }) { response in
                let body = response.object()
                #expect(body["void"] as? Bool == true)
                #expect(objects(body["lines"]).allSatisfy { $0["outcome"] is NSNull })
            }
        }
    }

    @Test func bodiesThatAreRefused() async throws {
        let book = try SampleBook(months: 1, decide: false)
        let cases: [(String, String, ByteBuffer, HTTPResponse.Status, String?, Int?)] = [
            ("broken JSON", "application/json", ByteBuffer(text: "{\"claim\": {"), .badRequest, nil, nil),
            ("not an object", "application/json", ByteBuffer(text: "[1, 2]"), .badRequest, nil, nil),
            ("claim not an object", "application/json", ByteBuffer(text: "{\"claim\": 5}"), .badRequest, nil, nil),
            ("no claim", "application/json", ByteBuffer(text: "{}"), .badRequest, nil, nil),
            ("a boolean value", "application/json", try Self.claim { $0["claim_type"] = true }, .badRequest, nil, nil),
            ("an object value", "application/json", try Self.claim { $0["member_id"] = ["a": 1] }, .badRequest, nil, nil),
            ("no member", "application/json", try Self.claim { $0["member_id"] = nil }, .unprocessableContent, "member_id", 1),
            ("bad claim type", "application/json", try Self.claim { $0["claim_type"] = "dental" }, .unprocessableContent, "claim_type", 1),
            ("bad line date", "application/json", try Self.claim {
                $0["lines"] = [["claim_line_number": 1, "hcpcs_code": "72148"], ["claim_line_number": 2, "claim_line_start_date": "2024-13-01"]]
            }, .unprocessableContent, "claim_line_start_date", 2),
            ("bad line number", "application/json", try Self.claim { $0["lines"] = [["claim_line_number": "one"]] }, .unprocessableContent, "claim_line_number", 1),
            ("no primary diagnosis", "application/json", try Self.claim { $0["diagnoses"] = [] }, .unprocessableContent, "diagnosis_code_1", 1),
            ("26 diagnoses", "application/json", try Self.claim { $0["diagnoses"] = Array(repeating: "M5450", count: 26) }, .unprocessableContent, "diagnoses", nil),
            ("no lines", "application/json", try Self.claim { $0["lines"] = [] }, .unprocessableContent, "lines", nil),
            ("not X12", "application/edi-x12", ByteBuffer(text: "ISA*00*"), .unprocessableContent, nil, nil),
            ("plain text", "text/plain", ByteBuffer(text: "hello"), .unsupportedMediaType, nil, nil),
            ("over 2 MiB", "application/json", ByteBuffer(repeating: UInt8(ascii: " "), count: (2 << 20) + 1), .contentTooLarge, nil, nil),
        ]
        try await makeApp(book).test(.router) { client in
            for (name, type, body, status, field, line) in cases {
                try await client.execute(uri: "/v1/check", method: .post, headers: authorized(type), body: body) { response in
                    #expect(response.status == status, "\(name): \(response.text.prefix(200))")
                    #expect(response.headers[.cacheControl] == "no-store", "\(name)")
                    let answer = response.object()
                    #expect((answer["error"] as? String)?.isEmpty == false, "\(name)")
                    #expect(answer["field"] as? String == field, "\(name)")
                    #expect(answer["line"] as? Int == line, "\(name)")
                    #expect(!response.text.contains("M025") && !response.text.contains("C9\""), "\(name): no ids in errors")
                }
            }
        }
    }

    @Test func aClaimAsAnX12Interchange() async throws {
        let book = try SampleBook()
        let claim = TestClaim837(id: "C9", member: "M025", diagnoses: ["M5450", "E119"],
                                 lines: [TestLine837(number: 1, first: "20240603", hcpcs: "72148", charge: "250"),
                                         TestLine837(number: 2, first: "20240603", hcpcs: "99213")])
        let one = X12ClaimWriter.interchange([claim])
        var other = claim
        other.id = "C10"
        let two = X12ClaimWriter.interchange([claim, other])
        try await makeApp(book).test(.router) { client in
            try await client.execute(uri: "/v1/check", method: .post, headers: authorized("application/edi-x12"), body: ByteBuffer(text: one)) { response in
                #expect(response.status == .ok, "\(response.text)")
                let lines = objects(response.object()["lines"])
                #expect(lines.map { $0["claim_line_number"] as? Int } == [1, 2])
                #expect(lines.first?["outcome"] as? String == "DENY")
                #expect(lines.first?["reason"] as? String == "LBP_IMAGING_WITHIN_28_DAYS")
                #expect(lines.first?["index_date"] as? String == "2024-06-03")
                #expect(lines.last?["imaging"] as? Bool == false)
            }
            try await client.execute(uri: "/v1/check", method: .post, headers: authorized("application/edi-x12"), body: ByteBuffer(text: two)) { response in
                #expect(response.status == .unprocessableContent)
                #expect((response.object()["error"] as? String)?.hasPrefix("the body holds 2 claims") == true)
            }
        }
    }

    @Test func aBatchAnswersLineByLine() async throws {
        let book = try SampleBook()
        let good = String(decoding: try Self.claim { _ in }.readableBytesView, as: UTF8.self)
        let stored = String(decoding: try Self.json(try Self.body(of: "C01102", in: book.db)).readableBytesView, as: UTF8.self)
        let invalid = String(decoding: try Self.claim { $0["claim_type"] = "dental" }.readableBytesView, as: UTF8.self)
        let body = [good, "", stored, "{not json", invalid].joined(separator: "\n") + "\n"
        try await makeApp(book).test(.router) { client in
            try await client.execute(uri: "/v1/check/batch", method: .post, headers: authorized("application/x-ndjson"), body: ByteBuffer(text: body)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/x-ndjson; charset=utf-8")
                let lines = response.text.split(separator: "\n").map {
                    (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] ?? [:]
                }
                #expect(lines.count == 4)
                #expect(objects(lines[0]["lines"]).first?["outcome"] as? String == "DENY")
                #expect(objects(lines[1]["lines"]).first?["reason"] as? String == "RED_FLAG_TRAUMA")
                #expect(lines[2]["index"] as? Int == 3 && lines[2]["status"] as? Int == 400)
                #expect(lines[3]["index"] as? Int == 4 && lines[3]["status"] as? Int == 422 && lines[3]["field"] as? String == "claim_type")
            }
            let tooMany = Array(repeating: good, count: 1_001).joined(separator: "\n")
            try await client.execute(uri: "/v1/check/batch", method: .post, headers: authorized("application/x-ndjson"), body: ByteBuffer(text: tooMany)) { response in
                #expect(response.status == .contentTooLarge)
                #expect((response.object()["error"] as? String)?.contains("1000") == true)
            }
            try await client.execute(uri: "/v1/check/batch", method: .post, headers: authorized("application/x-ndjson"), body: ByteBuffer(text: "\n\n")) { response in
                #expect(response.status == .unprocessableContent)
            }
            try await client.execute(uri: "/v1/check/batch", method: .post, headers: authorized("text/csv"), body: ByteBuffer(text: "a\n")) { response in
                #expect(response.status == .unsupportedMediaType)
            }
        }
    }
}
