using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Conclave.Media.Diagnostics;
using Conclave.Media.Stun;
using Conclave.Testing;

namespace Conclave.Browser.Tests;

/// <summary>
/// Hostile datagrams and signalling aimed at a live meeting: each is dropped and
/// counted by reason, and the participants' media goes on.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed partial class MediaBadInputTests(DaemonFixture fixture)
{
    [Fact]
    public async Task Garbage_forged_and_unauthenticated_datagrams_are_counted_and_the_meeting_continues()
    {
        await using var alice = await fixture.JoinAsync("under-attack", "Alice");
        await using var bob = await fixture.JoinAsync("under-attack", "Bob");
        await Eventually.HoldsAsync(alice.ReceiveStatsAsync, s => s.TryGetValue(bob.Id, out var r) && r.FramesDecoded > 10,
            TimeSpan.FromSeconds(45), "Alice decoding Bob's video");
        var drops = fixture.Daemon.MediaPlane.Drops;
        var before = Enum.GetValues<DropReason>().ToDictionary(r => r, r => drops[r]);
        long framesBefore = (await alice.ReceiveStatsAsync())[bob.Id].FramesDecoded;

        string offer = await alice.Page.EvaluateAsync<string>("() => window.conclave.session.pc.remoteDescription.sdp");
        string ufrag = IceUfragPattern().Match(offer).Groups[1].Value;
        string password = IcePasswordPattern().Match(offer).Groups[1].Value;
        string answer = await alice.Page.EvaluateAsync<string>("() => window.conclave.session.pc.localDescription.sdp");
        string browserUfrag = IceUfragPattern().Match(answer).Groups[1].Value;
        var media = fixture.Daemon.MediaPlane.LocalEndPoint;
        using var attacker = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        attacker.Client.ReceiveTimeout = 2000;

        // 1. Random bytes in every RFC 7983 range, from an address that never passed ICE.
        var random = new Random(7983);
        for (int i = 0; i < 256; i++)
        {
            var datagram = new byte[1 + random.Next(300)];
            random.NextBytes(datagram);
            datagram[0] = (byte)i;
            await attacker.SendAsync(datagram, media);
        }
        // 2. Oversized.
        await attacker.SendAsync(new byte[4000], media);
        // 3. STUN naming no ufrag of ours, and STUN with our ufrag but the wrong password.
        await attacker.SendAsync(IceConnectivityCheck.Request("nobody00:peer", "wrong-password-wrong-password"), media);
        await attacker.SendAsync(IceConnectivityCheck.Request($"{ufrag}:{browserUfrag}", "wrong-password-wrong-password"), media);

        // 4. A correct check (the attacker learnt both ufrags and the password, as a compromised
        //    signalling path could): answered, so this address is now validated for Alice's peer…
        await attacker.SendAsync(IceConnectivityCheck.Request($"{ufrag}:{browserUfrag}", password), media);
        var response = await attacker.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(StunMessage.TryParse(response.Buffer, out var parsed), "the response parses");
        Assert.Equal(StunMessageType.BindingSuccessResponse, parsed.MessageType);
        Assert.True(parsed.VerifyMessageIntegrity(Encoding.UTF8.GetBytes(password)), "the response is signed with the ICE password");

        // …but it holds no SRTP keys of Alice's: forged SRTP and SRTCP fail authentication.
        for (ushort seq = 1; seq <= 20; seq++)
        {
            var forged = new byte[200];
            RandomNumberGenerator.Fill(forged);
            forged[0] = 0x80;
            forged[1] = 96;
            forged[2] = (byte)(seq >> 8);
            forged[3] = (byte)seq;
            await attacker.SendAsync(forged, media);
            var forgedRtcp = new byte[60];
            RandomNumberGenerator.Fill(forgedRtcp);
            forgedRtcp[0] = 0x81;
            forgedRtcp[1] = 201;
            await attacker.SendAsync(forgedRtcp, media);
        }

        await Eventually.HoldsAsync(() => Task.FromResult(Delta(DropReason.SrtpAuthFailed)), d => d >= 40,
            TimeSpan.FromSeconds(5), "40 forged SRTP/SRTCP packets counted as failing authentication");
        Assert.True(Delta(DropReason.UnknownProtocol) >= 50, $"unknown first bytes counted: {Delta(DropReason.UnknownProtocol)}");
        Assert.True(Delta(DropReason.UnknownAddress) >= 100, $"DTLS/RTP from unvalidated addresses counted: {Delta(DropReason.UnknownAddress)}");
        Assert.True(Delta(DropReason.StunMalformed) >= 1, "malformed STUN counted");
        Assert.True(Delta(DropReason.Oversized) >= 1, "oversized datagram counted");
        Assert.True(Delta(DropReason.StunUnknownUsername) >= 1, "unknown ufrag counted");
        Assert.True(Delta(DropReason.StunBadIntegrity) >= 1, "bad integrity counted");

        // The meeting never noticed.
        await Eventually.HoldsAsync(alice.ReceiveStatsAsync, s => s[bob.Id].FramesDecoded >= framesBefore + 60,
            TimeSpan.FromSeconds(15), "Alice still decoding Bob's video");

        long Delta(DropReason reason) => drops[reason] - before[reason];
    }

    [GeneratedRegex(@"a=ice-ufrag:(\S+)")]
    private static partial Regex IceUfragPattern();

    [GeneratedRegex(@"a=ice-pwd:(\S+)")]
    private static partial Regex IcePasswordPattern();
}
