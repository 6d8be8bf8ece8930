import DelimitedText
import Testing
import TestSupport
@testable import X12

/// The mapping of 837P and 837I claims to Tuva `medical_claim` rows (docs/x12.md).
@Suite
struct ClaimMappingTests {
    @Test func professionalClaimMapsEveryColumn() throws {
        let text = interchange(professionalClaim("26463774", member: "JS00111223333", [
            "REF*D9*17312345600006351",
            "HI*ABK:M5450*ABF:M5416*ABJ:R69*APR:R52*ABN:W010XXA*ABF:G834",
            "LX*1", "SV1*HC:99213:25*40*UN*1***1", "DTP*472*D8*20240305",
            "LX*2", "SV1*HC:72148:26:RT:LT:59*150*UN*1*22**1", "DTP*472*RD8*20240306-20240308",
            "SVD*43*55*HC:72148**1", "DTP*573*D8*20240401",
        ]))
        let (records, warnings) = try readAll(text)
        #expect(warnings.isEmpty)
        #expect(records.count == 2)
        let first = records[0], second = records[1]
        #expect(first.defect == nil && second.defect == nil)
        #expect(first.segment == 13 && second.segment == 16, "a row's line number is its LX segment's number (ISA is 1)")
        #expect(first["claim_id"] == "26463774" && first["claim_line_number"] == "1" && first["claim_type"] == "professional")
        #expect(first["member_id"] == "JS00111223333" && first["payer"] == "ACME")
        // Claim dates: the earliest and latest line service dates (RD8 end included).
        #expect(first["claim_start_date"] == "20240305" && first["claim_end_date"] == "20240308")
        #expect(second["claim_start_date"] == "20240305" && second["claim_end_date"] == "20240308")
        #expect(first["claim_line_start_date"] == "20240305" && second["claim_line_start_date"] == "20240306")
        // SV105 when present, else CLM05-1.
        #expect(first["place_of_service_code"] == "11" && second["place_of_service_code"] == "22")
        #expect(first.fields["bill_type_code"] == nil && first.fields["revenue_center_code"] == nil)
        #expect(first["hcpcs_code"] == "99213" && first["hcpcs_modifier_1"] == "25" && first.fields["hcpcs_modifier_2"] == nil)
        #expect([second["hcpcs_modifier_1"], second["hcpcs_modifier_2"], second["hcpcs_modifier_3"], second["hcpcs_modifier_4"]]
                == ["26", "RT", "LT", "59"])
        #expect(first["charge_amount"] == "40" && second["charge_amount"] == "150")
        #expect(first["claim_frequency_code"] == "1")
        // ABK first, then ABF in order; ABJ (admitting), APR (reason for visit), ABN (external cause) are not diagnoses.
        #expect(first["diagnosis_code_type"] == "icd-10-cm")
        #expect(first["diagnosis_code_1"] == "M5450" && first["diagnosis_code_2"] == "M5416" && first["diagnosis_code_3"] == "G834")
        #expect(first.fields["diagnosis_code_4"] == nil)
        // The raw line: the loop's segments with their terminators (line breaks between them are not kept).
        #expect(second.raw == "LX*2~SV1*HC:72148:26:RT:LT:59*150*UN*1*22**1~DTP*472*RD8*20240306-20240308~SVD*43*55*HC:72148**1~DTP*573*D8*20240401~")
    }

    @Test func institutionalClaimMapsEveryColumn() throws {
        let body = ["HL*1**20*1", "NM1*85*2*JONES HOSPITAL*****XX*9876540809", "HL*2*1*22*0", "SBR*P*18*******MB",
                    "NM1*IL*1*DOE*JOHN****MI*030005074A", "NM1*PR*2*MEDICARE B*****PI*00435",
                    "CLM*756048Q*89.93***13:A:7*Y*A*Y*Y", "REF*F8*PAYER-ICN-1", "DTP*434*RD8*20240301-20240304",
                    "HI*ABK:M545", "HI*ABF:I10*ABF:E119", "HI*BH:A1:D8:19261111", "HI*BE:A2:::15.31", "HI*BG:09",
                    "HI*BBR:0QS734Z:D8:20240302",
                    "LX*1", "SV2*0305*HC:85025*13.39*UN*1",
                    "LX*2", "SV2*0350*HC:72131:26:TC:59:XS*2352*UN*1", "DTP*472*D8*20240302",
                    "LX*3", "SV2*0250**20*UN*1"]
        let (records, _) = try readAll(interchange(body, version: "005010X223A2"))
        #expect(records.count == 3)
        #expect(records.allSatisfy { $0.defect == nil })
        let r = records[1]
        #expect(r["claim_type"] == "institutional" && r["member_id"] == "030005074A" && r["payer"] == "MEDICARE B")
        #expect(r["claim_start_date"] == "20240301" && r["claim_end_date"] == "20240304")
        #expect(r["bill_type_code"] == "137" && r["claim_frequency_code"] == "7")
        #expect(r.fields["place_of_service_code"] == nil)
        #expect(r["revenue_center_code"] == "0350" && r["hcpcs_code"] == "72131" && r["charge_amount"] == "2352")
        #expect([r["hcpcs_modifier_1"], r["hcpcs_modifier_2"], r["hcpcs_modifier_3"], r["hcpcs_modifier_4"]] == ["26", "TC", "59", "XS"])
        #expect(r["claim_line_start_date"] == "20240302")
        // A line without DTP*472 has an empty line date (the claim's start date is then its service date).
        #expect(records[0].fields["claim_line_start_date"] == nil && records[2].fields["claim_line_start_date"] == nil)
        #expect(records[2].fields["hcpcs_code"] == nil && records[2]["revenue_center_code"] == "0250")
        // Principal and other diagnoses across several HI segments; occurrence (BH), value (BE),
        // condition (BG) codes and procedures (BBR) are not diagnoses.
        #expect(r["diagnosis_code_1"] == "M545" && r["diagnosis_code_2"] == "I10" && r["diagnosis_code_3"] == "E119")
        #expect(r.fields["diagnosis_code_4"] == nil)
    }

    @Test func statementDatesInD8AndRD8WithOneDate() throws {
        for dtp in ["DTP*434*D8*20240301", "DTP*434*RD8*20240301", "DTP*434*RD8*20240301-20240301"] {
            let body = ["HL*2**22*0", "NM1*IL*1*D*J****MI*M1", "CLM*I1*1***11:A:1", dtp, "HI*ABK:M545", "LX*1", "SV2*0450*HC:99284*1"]
            let records = try readAll(interchange(body, version: "005010X223A2")).records
            #expect(records.map { [$0["claim_start_date"], $0["claim_end_date"], $0["bill_type_code"]] } == [["20240301", "20240301", "111"]], "\(dtp)")
        }
    }

    @Test func icd9DiagnosesAndTheirType() throws {
        let records = try readAll(interchange(professionalClaim("P1", ["HI*BK:7242*BF:72210", "LX*1", "SV1*HC:72100*50*UN*1", "DTP*472*D8*20140305"]),
                                              version: "004010X098A1")).records
        #expect(records.count == 1)
        #expect(records[0]["diagnosis_code_type"] == "icd-9-cm")
        #expect(records[0]["diagnosis_code_1"] == "7242" && records[0]["diagnosis_code_2"] == "72210")
        #expect(records[0]["claim_type"] == "professional", "4010's X098 is an 837P")
    }

    @Test(arguments: ["7", "8"])
    func replacementAndVoidFrequencyWithOriginalReference(frequency: String) throws {
        let records = try readAll(interchange(professionalClaim("C9", clm05: "11:B:\(frequency)", [
            "REF*F8*ORIGINAL-ICN", "HI*ABK:M545", "LX*1", "SV1*HC:72100*50*UN*1", "DTP*472*D8*20240305",
        ]))).records
        #expect(records.map { $0["claim_frequency_code"] } == [frequency])
        #expect(records.map { $0["claim_id"] } == ["C9"], "the claim id is CLM01, not the payer's REF*F8 number")
    }

    @Test func subscriberIsTheMemberForADependentAndOtherSubscribersAreNot() throws {
        let body = ["HL*1**20*1", "HL*2*1*22*1", "SBR*P**GRP******CI", "NM1*IL*1*SMITH*JANE****MI*SUB-1", "NM1*PR*2*ACME*****PI*1",
                    "HL*3*2*23*0", "PAT*19", "NM1*QC*1*SMITH*TED",
                    "CLM*D1*100***11:B:1*Y*A*Y*Y", "HI*ABK:M545",
                    "SBR*S*01*******CI", "NM1*IL*1*SMITH*JACK****MI*OTHER-SUB", "NM1*PR*2*OTHER PAYER*****PI*2",
                    "LX*1", "SV1*HC:72100*50*UN*1", "DTP*472*D8*20240305",
                    "CLM*D2*100***11:B:1*Y*A*Y*Y", "HI*ABK:M545", "LX*1", "SV1*HC:99213*50*UN*1", "DTP*472*D8*20240306"]
        let records = try readAll(interchange(body)).records
        #expect(records.map { $0["member_id"] } == ["SUB-1", "SUB-1"])
        #expect(records.map { $0["payer"] } == ["ACME", "ACME"])
        #expect(records.map { $0["claim_id"] } == ["D1", "D2"])
    }

    @Test func transactionSetImplementationDecidesTheClaimType() throws {
        let institutionalBody = ["HL*2**22*0", "NM1*IL*1*D*J****MI*M1", "CLM*I1*1***13:A:1", "DTP*434*D8*20240301",
                                 "HI*ABK:M545", "LX*1", "SV2*0450*HC:99284*1"]
        // GS08 says 837P, ST03 says 837I: ST03 wins.
        let st03 = try readAll(interchange(institutionalBody, version: "005010X223A2", gsVersion: "005010X222A1")).records
        #expect(st03.map { $0["claim_type"] } == ["institutional"])
        // No ST03 (4010): GS08 decides.
        let gs08 = try readAll(interchange(institutionalBody, version: "", gsVersion: "004010X096A1")).records
        #expect(gs08.map { $0["claim_type"] } == ["institutional"])
        // Neither names an 837P or 837I: the file cannot be read.
        #expect(failure(interchange(institutionalBody, version: "", gsVersion: "999999X999X9"))
                == .unknownImplementation(segment: 3, reference: "999999X999X9"))
    }

    @Test func nonClaimTransactionSetsAreSkippedWithAWarning() throws {
        var text = X12ClaimWriter.isa() + "GS*HP*S*R*20240101*1200*1*X*005010X221A1~ST*835*0001~BPR*I*1~SE*3*0001~GE*1*1~IEA*1*000000001~"
        let (records, warnings) = try readAll(text)
        #expect(records.isEmpty)
        #expect(warnings == ["segment 3: transaction set '835' is not an 837; skipped"])
        text = ""
    }
}
