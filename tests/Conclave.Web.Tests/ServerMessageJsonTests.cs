using System.Text;
using System.Text.Json;
using Conclave.Meetings.Admission;
using Conclave.Web.Signalling;

namespace Conclave.Web.Tests;

/// <summary>The JSON the appliance sends, byte for byte (docs/signalling.md).</summary>
public sealed class ServerMessageJsonTests
{
    public static TheoryData<Type, string> WireJson => new()
    {
        { typeof(ServerMessage.Lobby), """{"type":"lobby","message":"Waiting for the host to let you in."}""" },
        {
            typeof(ServerMessage.Joined),
            """{"type":"joined","participantId":"p2","participants":[{"id":"p1","name":"Ada"}],"e2ee":{"credential":"AQID","caPublicKey":"MFkw","groupToken":"tOkEn_-"}}"""
        },
        { typeof(ServerMessage.ParticipantJoined), """{"type":"participant-joined","participant":{"id":"p3","name":"Bob"}}""" },
        { typeof(ServerMessage.ParticipantLeft), """{"type":"participant-left","participantId":"p3"}""" },
        {
            typeof(ServerMessage.Offer),
            """{"type":"offer","revision":2,"sdp":"v=0\r\n","publish":{"audio":"0","video":"1","screen":"2"},"tracks":[{"mid":"3","participantId":"p1","kind":"audio","source":"microphone"},{"mid":"4","participantId":"p1","kind":"video","source":"camera"},{"mid":"5","participantId":"p1","kind":"video","source":"screen"}]}"""
        },
        { typeof(ServerMessage.Error), """{"type":"error","code":"not-on-roster","message":"You are not on this meeting\u0027s roster."}""" },
        { typeof(ServerMessage.MlsCreate), """{"type":"mls-create","groupId":"AAECAwQFBgcICQoLDA0ODw=="}""" },
        { typeof(ServerMessage.MlsJoin), """{"type":"mls-join","epoch":3}""" },
        { typeof(ServerMessage.MlsCommit), """{"type":"mls-commit","epoch":3,"commit":"AAEAAQ==","participantId":"p1"}""" },
        { typeof(ServerMessage.MlsStale), """{"type":"mls-stale","epoch":4}""" },
        { typeof(ServerMessage.MlsRemove), """{"type":"mls-remove","epoch":4,"leaf":2,"participantId":"p3"}""" },
        { typeof(ServerMessage.MlsPublish), """{"type":"mls-publish","epoch":4}""" },
        { typeof(ServerMessage.Data), """{"type":"data","epoch":4,"kind":"chat","ct":"c2VhbGVk","participantId":"p1"}""" },
        { typeof(ServerMessage.RecordingRequested), """{"type":"recording-requested","recordingId":"0123456789abcdef0123456789abcdef","scope":"media\u002Bchat","escrowKeys":["MFkwEwYHKoZIzj0CAQ=="]}""" },
        { typeof(ServerMessage.RecordingStopping), """{"type":"recording-stopping","recordingId":"0123456789abcdef0123456789abcdef"}""" },
        { typeof(ServerMessage.RecordingState), """{"type":"recording-state","state":"stopped","recordingId":"0123456789abcdef0123456789abcdef","reason":"disk-full"}""" },
        { typeof(ServerMessage.Presenter), """{"type":"presenter","participantId":"p1"}""" },
    };

    [Theory]
    [MemberData(nameof(WireJson))]
    public void A_message_is_sent_as_its_type_tag_then_its_camel_case_fields(Type type, string json) =>
        Assert.Equal(json, Encoding.UTF8.GetString(ServerMessageSamples.Of(type).ToUtf8Json()));

    [Fact]
    public void Every_message_type_is_pinned_to_its_wire_json() =>
        Assert.Equal(
            ServerMessageSamples.MessageTypes.Select(t => t.Name).Order(),
            WireJson.Select(row => ((Type)row[0]).Name).Order());

    [Fact]
    public void An_epoch_beyond_2_to_the_53_is_still_sent_as_a_json_number() =>
        Assert.Equal("""{"type":"mls-join","epoch":18446744073709551615}""", Encoding.UTF8.GetString(new ServerMessage.MlsJoin(ulong.MaxValue).ToUtf8Json()));

    [Fact]
    public void A_display_name_cannot_break_out_of_its_json_string()
    {
        var json = new ServerMessage.ParticipantJoined(new Participant("p1", "\"},{\"id\":\"p9</script>")).ToUtf8Json();
        using var document = JsonDocument.Parse(json);
        Assert.Equal("\"},{\"id\":\"p9</script>", document.RootElement.GetProperty("participant").GetProperty("name").GetString());
        Assert.DoesNotContain("</script>", Encoding.UTF8.GetString(json));
    }

    [Fact]
    public void Every_error_code_has_its_own_wire_name()
    {
        var codes = Enum.GetValues<SignallingError>();
        Assert.Equal(codes.Length, codes.Select(c => c.WireName()).Distinct().Count());
        foreach (var code in codes)
        {
            using var document = JsonDocument.Parse(new ServerMessage.Error(code, "x").ToUtf8Json());
            Assert.Equal(code.WireName(), document.RootElement.GetProperty("code").GetString());
        }
    }

    [Fact]
    public void A_refusal_reaches_the_browser_under_the_word_the_audit_log_records_for_it()
    {
        foreach (var refusal in Enum.GetValues<RefusalCode>())
        {
            Assert.Equal(refusal.AuditName(), SignallingErrors.From(refusal).WireName());
        }
    }
}
