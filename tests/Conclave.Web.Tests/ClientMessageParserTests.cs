using System.Text;
using Conclave.Meetings.Recordings;
using Conclave.Web.E2ee;
using Conclave.Web.Signalling;
using CsCheck;

namespace Conclave.Web.Tests;

public sealed class ClientMessageParserTests
{
    private static ClientMessage Parsed(string json)
    {
        Assert.True(ClientMessageParser.TryParse(Encoding.UTF8.GetBytes(json), out var message, out var error), error);
        Assert.Null(error);
        return message!;
    }

    private static readonly string Generator = Convert.ToBase64String(TestSignatureKeys.Generator);

    public static TheoryData<string, ClientMessage> WellFormed => new()
    {
        { $$$"""{"type":"join","room":"Weekly-sync_2","e2ee":{"signatureKey":"{{{Generator}}}"}}""", new ClientMessage.Join("Weekly-sync_2", MlsSignatureKey.TryCreate(TestSignatureKeys.Generator)) },
        { """{"type":"join","room":"Weekly-sync_2"}""", new ClientMessage.Join("Weekly-sync_2", null) },
        { """{"type":"answer","revision":3,"sdp":"v=0\r\n"}""", new ClientMessage.Answer(3, "v=0\r\n") },
        { """{"type":"candidate","candidate":"candidate:1 1 udp 1 192.0.2.1 5000 typ host","sdpMid":"0"}""", new ClientMessage.Candidate("candidate:1 1 udp 1 192.0.2.1 5000 typ host", "0") },
        { """{"type":"candidate","candidate":"","sdpMid":null}""", new ClientMessage.Candidate("", null) },
        { """{"type":"restart-ice"}""", new ClientMessage.RestartIce() },
        { """{"type":"leave"}""", new ClientMessage.Leave() },
        { """{"type":"negotiation-failed","reason":"Failed to set remote offer sdp: Session error code: ERROR_CONTENT."}""", new ClientMessage.NegotiationFailed("Failed to set remote offer sdp: Session error code: ERROR_CONTENT.") },
        { """{"type":"mls-commit","epoch":7,"commit":"AAEAAQ==","removes":[2,5]}""", new ClientMessage.MlsCommit(7, "AAEAAQ==", [2, 5]) },
        { """{"type":"mls-commit","epoch":18446744073709551615,"commit":"AAEA","removes":[]}""", new ClientMessage.MlsCommit(ulong.MaxValue, "AAEA", []) },
        { """{"type":"mls-joined","epoch":8,"leaf":4294967295}""", new ClientMessage.MlsJoined(8, uint.MaxValue) },
        { """{"type":"data","epoch":0,"kind":"chat","ct":"c2VhbGVk"}""", new ClientMessage.Data(0, DataKind.Chat, "c2VhbGVk") },
        { """{"type":"data","epoch":2,"kind":"content","ct":"c2VhbGVk"}""", new ClientMessage.Data(2, DataKind.Content, "c2VhbGVk") },
        { """{"type":"join","room":"r","recordingNotice":true}""", new ClientMessage.Join("r", null, RecordingNoticeAccepted: true) },
        { """{"type":"join","room":"r","recordingNotice":"yes"}""", new ClientMessage.Join("r", null, RecordingNoticeAccepted: false) },
        { """{"type":"recording-start","scope":"media"}""", new ClientMessage.RecordingStart(RecordingScope.Media) },
        { """{"type":"recording-start","scope":"media+chat"}""", new ClientMessage.RecordingStart(RecordingScope.MediaAndChat) },
        { """{"type":"recording-stop"}""", new ClientMessage.RecordingStop() },
        { """{"type":"share-start"}""", new ClientMessage.ShareStart() },
        { """{"type":"share-stop"}""", new ClientMessage.ShareStop() },
        { """{"type":"recording-escrow","recordingId":"0123456789abcdef0123456789abcdef","epoch":3,"blob":"AAEA"}""", new ClientMessage.RecordingEscrow("0123456789abcdef0123456789abcdef", 3, "AAEA") },
    };

    [Theory]
    [MemberData(nameof(WellFormed))]
    public void Every_message_kind_parses_into_its_record(string json, ClientMessage expected) =>
        Assert.Equal(expected, Parsed(json));

    [Fact]
    public void Fields_the_protocol_does_not_define_are_ignored_including_a_name_in_join() =>
        Assert.Equal(new ClientMessage.Join("abc", null), Parsed("""{"name":"Mallory","type":"join","room":"abc","extra":[1,2]}"""));

    [Fact]
    public void A_join_carries_the_signature_key_the_browser_generated()
    {
        byte[] point = TestSignatureKeys.NewPoint();
        var join = (ClientMessage.Join)Parsed($$$"""{"type":"join","room":"abc","e2ee":{"signatureKey":"{{{Convert.ToBase64String(point)}}}"}}""");
        Assert.Equal(point, join.SignatureKey!.Bytes.ToArray());
    }

    [Fact]
    public void A_commit_of_48_KiB_of_base64_parses_and_one_more_quantum_does_not()
    {
        string largest = new('A', SignallingLimits.MaxCommitChars);
        Assert.Equal(largest, ((ClientMessage.MlsCommit)Parsed($$"""{"type":"mls-commit","epoch":1,"commit":"{{largest}}","removes":[]}""")).Commit);
        Assert.False(ClientMessageParser.TryParse(Encoding.UTF8.GetBytes($$"""{"type":"mls-commit","epoch":1,"commit":"{{largest}}AAAA","removes":[]}"""), out _, out var error));
        Assert.Contains("'commit' is longer than 49152 characters", error);
    }

    [Fact]
    public void Data_of_16_KiB_of_base64_parses_and_one_more_quantum_does_not()
    {
        string largest = new('A', SignallingLimits.MaxDataChars);
        Assert.Equal(largest, ((ClientMessage.Data)Parsed($$"""{"type":"data","epoch":1,"kind":"chat","ct":"{{largest}}"}""")).Ct);
        Assert.False(ClientMessageParser.TryParse(Encoding.UTF8.GetBytes($$"""{"type":"data","epoch":1,"kind":"chat","ct":"{{largest}}AAAA"}"""), out _, out var error));
        Assert.Contains("'ct' is longer than 16384 characters", error);
    }

    [Fact]
    public void Content_of_16_KiB_of_base64_parses_and_one_more_quantum_does_not_as_for_chat()
    {
        string largest = new('A', SignallingLimits.MaxDataChars);
        Assert.Equal(new ClientMessage.Data(1, DataKind.Content, largest), Parsed($$"""{"type":"data","epoch":1,"kind":"content","ct":"{{largest}}"}"""));
        Assert.False(ClientMessageParser.TryParse(Encoding.UTF8.GetBytes($$"""{"type":"data","epoch":1,"kind":"content","ct":"{{largest}}AAAA"}"""), out _, out var error));
        Assert.Contains("'ct' is longer than 16384 characters", error);
    }

    [Fact]
    public void A_candidate_whose_mid_is_not_a_string_has_no_mid() =>
        Assert.Equal(new ClientMessage.Candidate("c", null), Parsed("""{"type":"candidate","candidate":"c","sdpMid":7}"""));

    public static TheoryData<string, string> Refused => new()
    {
        { "{not json", "not valid JSON" },
        { "", "not valid JSON" },
        { """{"type":"leave"} trailing""", "not valid JSON" },
        { """{"type":"leave","deep":[[[[1]]]]}""", "not valid JSON" },
        { "[1,2,3]", "a message must be a JSON object" },
        { "\"join\"", "a message must be a JSON object" },
        { "null", "a message must be a JSON object" },
        { "{}", "'type' must be a string" },
        { """{"type":5}""", "'type' must be a string" },
        { """{"type":null}""", "'type' must be a string" },
        { $$"""{"type":"{{new string('x', 33)}}"}""", "'type' is longer than 32 characters" },
        { """{"type":"dance"}""", "unknown message type 'dance'" },
        { """{"type":"JOIN","room":"abc"}""", "unknown message type 'JOIN'" },
        { """{"type":"join"}""", "'room' must be a string" },
        { """{"type":"join","room":42}""", "'room' must be a string" },
        { """{"type":"join","room":["abc"]}""", "'room' must be a string" },
        { """{"type":"join","room":""}""", "room: use 1–64 letters, digits, '-' or '_'" },
        { """{"type":"join","room":"../etc"}""", "room: use 1–64 letters" },
        { """{"type":"join","room":"a b"}""", "room: use 1–64 letters" },
        { """{"type":"join","room":"café"}""", "room: use 1–64 letters" },
        { $$"""{"type":"join","room":"{{new string('a', 65)}}"}""", "'room' is longer than 64 characters" },
        { """{"type":"answer","sdp":"v=0"}""", "'revision' must be the positive integer" },
        { """{"type":"answer","revision":"1","sdp":"v=0"}""", "'revision' must be the positive integer" },
        { """{"type":"answer","revision":0,"sdp":"v=0"}""", "'revision' must be the positive integer" },
        { """{"type":"answer","revision":-1,"sdp":"v=0"}""", "'revision' must be the positive integer" },
        { """{"type":"answer","revision":1.5,"sdp":"v=0"}""", "'revision' must be the positive integer" },
        { """{"type":"answer","revision":2147483648,"sdp":"v=0"}""", "'revision' must be the positive integer" },
        { """{"type":"answer","revision":1}""", "'sdp' must be a string" },
        { """{"type":"answer","revision":1,"sdp":{"v":0}}""", "'sdp' must be a string" },
        { """{"type":"candidate","sdpMid":"0"}""", "'candidate' must be a string" },
        { """{"type":"candidate","candidate":1}""", "'candidate' must be a string" },
        { $$"""{"type":"candidate","candidate":"{{new string('c', 513)}}"}""", "'candidate' is longer than 512 characters" },
        { $$"""{"type":"negotiation-failed","reason":"{{new string('r', SignallingLimits.MaxReasonChars + 1)}}"}""", "'reason' is longer than 256 characters" },
        { """{"type":"negotiation-failed"}""", "'reason' must be a string" },
        { """{"type":"join","room":"abc","e2ee":"yes"}""", "'e2ee' must be an object" },
        { """{"type":"join","room":"abc","e2ee":{}}""", "'signatureKey' must be a string" },
        { """{"type":"join","room":"abc","e2ee":{"signatureKey":"not base64!"}}""", "'signatureKey' must be standard base64" },
        { $$$"""{"type":"join","room":"abc","e2ee":{"signatureKey":"{{{Convert.ToBase64String(TestSignatureKeys.Generator[..64])}}}"}}""", "uncompressed P-256 point" },
        { $$$"""{"type":"join","room":"abc","e2ee":{"signatureKey":"{{{Convert.ToBase64String(new byte[65])}}}"}}""", "uncompressed P-256 point" },
        { $$$"""{"type":"join","room":"abc","e2ee":{"signatureKey":"{{{Convert.ToBase64String(new byte[90])}}}"}}""", "'signatureKey' is longer than 88 characters" },
        { """{"type":"mls-commit","commit":"AAEA","removes":[]}""", "'epoch' must be an MLS epoch" },
        { """{"type":"mls-commit","epoch":-1,"commit":"AAEA","removes":[]}""", "'epoch' must be an MLS epoch" },
        { """{"type":"mls-commit","epoch":1.5,"commit":"AAEA","removes":[]}""", "'epoch' must be an MLS epoch" },
        { """{"type":"mls-commit","epoch":"1","commit":"AAEA","removes":[]}""", "'epoch' must be an MLS epoch" },
        { """{"type":"mls-commit","epoch":18446744073709551616,"commit":"AAEA","removes":[]}""", "'epoch' must be an MLS epoch" },
        { """{"type":"mls-commit","epoch":1,"commit":"","removes":[]}""", "'commit' must be standard base64 with padding" },
        { """{"type":"mls-commit","epoch":1,"commit":"AAE","removes":[]}""", "'commit' must be standard base64 with padding" },
        { """{"type":"mls-commit","epoch":1,"commit":"AA EA","removes":[]}""", "'commit' must be standard base64 with padding" },
        { """{"type":"mls-commit","epoch":1,"commit":"AA-_","removes":[]}""", "'commit' must be standard base64 with padding" },
        { """{"type":"mls-commit","epoch":1,"commit":"AAEA"}""", "'removes' must be an array" },
        { """{"type":"mls-commit","epoch":1,"commit":"AAEA","removes":[-1]}""", "each of 'removes' must be a leaf index" },
        { """{"type":"mls-commit","epoch":1,"commit":"AAEA","removes":[4294967296]}""", "each of 'removes' must be a leaf index" },
        { """{"type":"mls-commit","epoch":1,"commit":"AAEA","removes":["1"]}""", "each of 'removes' must be a leaf index" },
        { $$"""{"type":"mls-commit","epoch":1,"commit":"AAEA","removes":[{{string.Join(",", Enumerable.Range(0, SignallingLimits.MaxRemoves + 1))}}]}""", "at most 256 leaf indexes" },
        { """{"type":"mls-joined","epoch":1}""", "'leaf' must be a leaf index" },
        { """{"type":"mls-joined","epoch":1,"leaf":-2}""", "'leaf' must be a leaf index" },
        { """{"type":"mls-joined","leaf":2}""", "'epoch' must be an MLS epoch" },
        { """{"type":"data","epoch":1,"kind":"video","ct":"AAEA"}""", "'kind' must be \"chat\" or \"content\"" },
        { """{"type":"data","epoch":1,"kind":"Content","ct":"AAEA"}""", "'kind' must be \"chat\" or \"content\"" },
        { """{"type":"data","epoch":1,"ct":"AAEA"}""", "'kind' must be a string" },
        { """{"type":"data","epoch":1,"kind":"chat"}""", "'ct' must be a string" },
        { """{"type":"data","epoch":1,"kind":"chat","ct":"%%%="}""", "'ct' must be standard base64" },
        { """{"type":"recording-start"}""", "'scope' must be a string" },
        { """{"type":"recording-start","scope":"everything"}""", "'scope' must be \"media\" or \"media+chat\"" },
        { """{"type":"recording-escrow","recordingId":"0123456789ABCDEF0123456789ABCDEF","epoch":3,"blob":"AAEA"}""", "'recordingId' must be 32 lowercase hex digits" },
        { """{"type":"recording-escrow","recordingId":"0123","epoch":3,"blob":"AAEA"}""", "'recordingId' must be 32 lowercase hex digits" },
        { """{"type":"recording-escrow","recordingId":"0123456789abcdef0123456789abcdef","blob":"AAEA"}""", "'epoch' must be an MLS epoch" },
        { """{"type":"recording-escrow","recordingId":"0123456789abcdef0123456789abcdef","epoch":3,"blob":"AA"}""", "'blob' must be standard base64" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_malformed_message_is_refused_with_a_reason(string json, string reason)
    {
        Assert.False(ClientMessageParser.TryParse(Encoding.UTF8.GetBytes(json), out var message, out var error));
        Assert.Null(message);
        Assert.Contains(reason, error);
    }

    [Fact]
    public void Bytes_that_are_not_utf8_are_refused_as_json()
    {
        byte[] json = [.. Encoding.ASCII.GetBytes("{\"type\":\"join\",\"room\":\""), 0xFF, 0xFE, .. Encoding.ASCII.GetBytes("\"}")];
        Assert.False(ClientMessageParser.TryParse(json, out _, out var error));
        Assert.Contains("not valid JSON", error);
    }

    [Fact]
    public void Arbitrary_bytes_never_throw_and_give_either_a_message_or_a_reason() =>
        Gen.Byte.Array[0, 200].Sample(bytes => AssertMessageOrReason(bytes));

    [Fact]
    public void A_valid_message_with_one_byte_changed_never_throws()
    {
        byte[][] valid = [.. WellFormed.Select(row => Encoding.UTF8.GetBytes((string)row[0]))];
        Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Int[0, 1000], Gen.Byte).Sample((which, at, value) =>
        {
            var bytes = valid[which].ToArray();
            bytes[at % bytes.Length] = value;
            AssertMessageOrReason(bytes);
        });
    }

    private static void AssertMessageOrReason(byte[] bytes)
    {
        bool parsed = ClientMessageParser.TryParse(bytes, out var message, out var error);
        Assert.True(parsed ? message is not null && error is null : message is null && !string.IsNullOrEmpty(error));
    }

    [Theory]
    [InlineData("a", true)]
    [InlineData("Meeting-42_b", true)]
    [InlineData("", false)]
    [InlineData("a/b", false)]
    [InlineData("a.b", false)]
    [InlineData("ü", false)]
    [InlineData("٣", false)]
    public void A_room_is_one_to_64_ascii_letters_digits_dashes_or_underscores(string room, bool valid) =>
        Assert.Equal(valid, ClientMessageParser.IsValidRoom(room));

    [Fact]
    public void A_room_of_64_characters_is_valid_and_of_65_is_not()
    {
        Assert.True(ClientMessageParser.IsValidRoom(new string('r', SignallingLimits.MaxRoomChars)));
        Assert.False(ClientMessageParser.IsValidRoom(new string('r', SignallingLimits.MaxRoomChars + 1)));
    }
}
