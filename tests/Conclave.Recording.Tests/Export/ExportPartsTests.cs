using System.Security.Cryptography;
using System.Text.Json;
using Conclave.Recording.Export;
using Conclave.Testing;

namespace Conclave.Recording.Tests.Export;

public sealed class SecurityCodeTests
{
    [Fact]
    public void Each_group_is_24_big_endian_bits_modulo_100000_zero_padded_as_the_browser_shows_it()
    {
        byte[] authenticator = [0, 0, 0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0x01, 0x86, 0xA0, 0x01, 0x86, 0x9F, 0x12, 0xD6, 0x87, 0xAA, 0xBB];

        Assert.Equal("00000 00001 77215 00000 99999 34567", SecurityCode.Render(authenticator));
        Assert.Null(SecurityCode.Render(authenticator.AsSpan(0, 17)));
    }
}

public sealed class ExportFileNameTests
{
    [Theory]
    [InlineData("Zoë Ångström-Łukasiewicz, 会議の招待客", "Zoe-Angstrom-Lukasiewicz")]
    [InlineData("  ../../etc/passwd  ", "etc-passwd")]
    [InlineData("会議", "participant")]
    [InlineData("under_score-and-dash", "under_score-and-dash")]
    public void A_name_keeps_ascii_letters_digits_dash_and_underscore_and_latin_letters_lose_their_accents(string name, string safe)
    {
        Assert.Equal(safe, RecordingExport.SafeName(name));
    }

    [Fact]
    public void Two_participants_with_the_same_safe_names_get_distinct_files()
    {
        var taken = new HashSet<string>();

        Assert.Equal(["Ann-p-1.webm", "Ann-p-1-2.webm"], new[] { RecordingExport.FileName("Ann", "p:1", taken), RecordingExport.FileName("Ann", "p/1", taken) });
    }
}

public sealed class EpochTimelineTests
{
    [Fact]
    public void An_epoch_below_the_one_before_starts_a_new_group_generation_and_a_repeat_does_not()
    {
        var timeline = new EpochTimeline();
        timeline.AddEpochRecord(0, 5);
        timeline.AddEpochRecord(10, 5);
        timeline.AddEpochRecord(1_000_000, 6);
        timeline.AddEpochRecord(9_000_000, 0);
        timeline.AddEpochRecord(9_500_000, 1);
        timeline.Complete();

        Assert.Equal([(1, 5ul, 0ul), (1, 6ul, 1_000_000ul), (2, 0ul, 9_000_000ul), (2, 1ul, 9_500_000ul)], timeline.Epochs.Select(e => (e.Generation, e.Epoch, e.StartUs)));
        Assert.Equal((1, 2), (timeline.GenerationAt(8_999_999), timeline.GenerationAt(9_000_000)));
    }

    [Fact]
    public void A_frame_belongs_to_the_latest_epoch_with_its_kid_bits_started_by_its_arrival_allowing_a_second_of_slack()
    {
        var timeline = new EpochTimeline();
        timeline.AddEpochRecord(0, 5);
        timeline.AddEpochRecord(10_000_000, 261);   // the same low 8 bits as 5
        timeline.AddEpochRecord(20_000_000, 262);
        timeline.Complete();

        Assert.Equal(5ul, timeline.ForFrame(5, 8_999_999)!.Epoch);
        Assert.Equal(261ul, timeline.ForFrame(5, 9_000_000)!.Epoch);
        Assert.Equal(262ul, timeline.ForFrame(6, 19_500_000)!.Epoch);
        Assert.Null(timeline.ForFrame(6, 18_000_000));
        Assert.Null(timeline.ForFrame(7, 30_000_000));
    }

    [Fact]
    public void Late_frames_of_a_replaced_group_still_find_their_epoch()
    {
        var timeline = new EpochTimeline();
        timeline.AddEpochRecord(0, 12);
        timeline.AddEpochRecord(5_000_000, 0);
        timeline.Complete();

        var late = timeline.ForFrame(12, 5_200_000);

        Assert.Equal((1, 12ul), (late!.Generation, late.Epoch));
    }

    [Fact]
    public void An_escrowed_epoch_without_its_record_starts_with_the_epoch_recorded_before_it()
    {
        var timeline = new EpochTimeline();
        timeline.AddEpochRecord(2_000_000, 5);
        timeline.EpochOf(1, 6);
        timeline.AddEpochRecord(8_000_000, 7);
        timeline.Complete();

        Assert.Equal([(5ul, 2_000_000ul), (6ul, 2_000_000ul), (7ul, 8_000_000ul)], timeline.Epochs.OrderBy(e => e.Epoch).Select(e => (e.Epoch, e.StartUs)));
    }
}

public sealed class ConclaveCredentialReaderTests
{
    [Fact]
    public void The_browsers_credential_vector_reads_and_its_ca_signature_verifies_and_a_changed_byte_does_not()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(RepositoryFiles.PathOf("tests", "vectors", "credential", "v1.json")));
        var vector = json.RootElement;
        using var ca = ECDsa.Create();
        ca.ImportSubjectPublicKeyInfo(Convert.FromHexString(vector.GetProperty("caPublicKeySpkiHex").GetString()!), out _);
        var credential = Convert.FromHexString(vector.GetProperty("credentialHex").GetString()!);
        var fields = vector.GetProperty("fields");

        var facts = ConclaveCredentialReader.Read(credential, ca)!;

        Assert.Equal(
            (fields.GetProperty("meetingId").GetString(), fields.GetProperty("participantId").GetString(), fields.GetProperty("attendeeKey").GetString(),
                fields.GetProperty("displayName").GetString(), "guest", fields.GetProperty("notAfterUnixSeconds").GetUInt64(), fields.GetProperty("signatureKeySha256Hex").GetString(), true),
            (facts.MeetingId, facts.ParticipantId, facts.AttendeeKey, facts.DisplayName, facts.KindName, facts.NotAfterUnixSeconds, Convert.ToHexStringLower(facts.SignatureKeySha256), facts.CaSignatureValid));
        credential[5] ^= 1;
        Assert.False(ConclaveCredentialReader.Read(credential, ca)!.CaSignatureValid);
        Assert.Null(ConclaveCredentialReader.Read([.. credential, 0], ca));
        Assert.Null(ConclaveCredentialReader.Read(credential.AsSpan(0, credential.Length - 1), ca));
    }
}
