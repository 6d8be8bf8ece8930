import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The token guards every route but the page; the request log names routes, never ids.
struct AuthAndLogTests {
    static let protectedRoutes: [(HTTPRequest.Method, String)] = [
        (.get, "/v1/health"), (.get, "/v1/openapi.json"), (.post, "/v1/check"), (.post, "/v1/check/batch"),
        (.get, "/v1/lines/C01102/1"), (.get, "/v1/lines/C01102"), (.get, "/v1/members/M011/timeline"), (.get, "/v1/decisions"),
    ]

    @Test func missingWrongAndRightTokens() async throws {
        let book = try SampleBook(months: 1)
        try await makeApp(book).test(.router) { client in
            for (method, uri) in Self.protectedRoutes {
                for headers: HTTPFields in [[:], [.authorization: "Bearer wrong"], [.authorization: "Bearer \(testToken)x"],
                                            [.authorization: "Bearer \(testToken.dropLast())"], [.authorization: "Basic \(testToken)"],
                                            [.authorization: testToken], [.authorization: "Bearer "]] {
                    try await client.execute(uri: uri, method: method, headers: headers) { response in
                        #expect(response.status == .unauthorized, "\(method) \(uri) with \(headers)")
                        #expect(response.headers[.wwwAuthenticate] == "Bearer")
                        #expect(response.headers[.cacheControl] == "no-store")
                        #expect(response.object()["error"] as? String == "missing or wrong bearer token (send Authorization: Bearer TOKEN)")
                    }
                }
            }
            for scheme in ["Bearer", "bearer", "BEARER"] {
                try await client.execute(uri: "/v1/health", method: .get, headers: [.authorization: "\(scheme) \(testToken)"]) { response in
                    #expect(response.status == .ok, "\(scheme)")
                }
            }
        }
    }

    @Test func theLogNamesRoutesNeverIDsBodiesOrQueries() async throws {
        let book = try SampleBook()
        let logs = LogCapture()
        let check = try CheckRouteTests.json(try CheckRouteTests.body(of: "C01102", in: book.db))
        try await makeApp(book, logs: logs).test(.router) { client in
            try await client.execute(uri: "/v1/lines/C01102/1", method: .get, headers: authorized()) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v1/lines/C01102", method: .get, headers: authorized()) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v1/members/M011/timeline?from=2024-01-01", method: .get, headers: authorized()) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v1/decisions?reason=RED_FLAG_TRAUMA&outcome=ALLOW", method: .get, headers: authorized()) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v1/check", method: .post, headers: authorized("application/json"), body: check) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v1/check", method: .post, headers: authorized("application/json"),
                                     body: try CheckRouteTests.claim { $0["claim_type"] = "dental"; $0["member_id"] = "M011" }) { #expect($0.status == .unprocessableContent) }
            try await client.execute(uri: "/v1/members/M999/timeline", method: .get, headers: authorized()) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/v1/lines/C01102/1", method: .get, headers: [.authorization: "Bearer M011-C01102"]) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/v1/M011/C01102", method: .get, headers: authorized()) { #expect($0.status == .notFound) }
        }
        let lines = logs.all.filter { $0.hasSuffix(" request") }
        #expect(lines.count == 9)
        #expect(lines.contains { $0.contains("route=/v1/lines/{claim_id}/{line}") && $0.contains("status=200") && $0.contains("method=GET") })
        #expect(lines.contains { $0.contains("route=/v1/members/{member_id}/timeline") && $0.contains("status=404") })
        #expect(lines.contains { $0.contains("route=/v1/check") && $0.contains("status=422") })
        #expect(lines.contains { $0.contains("route=- ") && $0.contains("status=404") }, "an unknown route is logged without its path")
        #expect(lines.allSatisfy { $0.contains("hb.request.id=") && $0.contains(" ms=") })
        for text in logs.all {
            for secret in ["M011", "M999", "C01102", "M025", "RED_FLAG", "2024-01-01", testToken, "dental", "S32"] {
                #expect(!text.contains(secret), "log line carries \(secret): \(text)")
            }
        }
    }
}
