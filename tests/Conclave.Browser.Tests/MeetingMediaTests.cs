using Microsoft.Playwright;

namespace Conclave.Browser.Tests;

/// <summary>
/// A meeting end to end: real Chromium participants meet through conclaved and receive
/// each other's audio and video, SFrame-encrypted by the sender and decoded by the
/// receiver; they share one security code, which changes whenever the group does.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class MeetingMediaTests(DaemonFixture fixture)
{
    private const int FramesRequired = 60;
    private const double MaxLossRatio = 0.01;
    private static readonly TimeSpan MediaTimeout = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task Three_participants_see_and_hear_each_other_encrypted_one_leaves_and_a_late_fourth_sees_everyone_and_each_change_shows_a_new_code()
    {
        const string room = "three-and-one";
        await using var alice = await fixture.JoinAsync(room, "Alice");
        await using var bob = await fixture.JoinAsync(room, "Bob");
        var carol = await fixture.JoinAsync(room, "Carol");
        var everyone = new[] { alice, bob, carol };

        foreach (var receiver in everyone)
        {
            var senders = everyone.Where(p => p != receiver).ToArray();
            var started = await Eventually.HoldsAsync(receiver.ReceiveStatsAsync,
                s => senders.All(sender => s.TryGetValue(sender.Id, out var r) && r.FramesDecoded >= FramesRequired && r.AudioPacketsReceived > 0),
                MediaTimeout, $"{receiver.Name} decoding {FramesRequired} frames and hearing audio from both others");
            // Loss is measured once everyone is in, over the next stretch of media: the joins'
            // renegotiations and epoch changes before it are not what a meeting sounds like.
            var later = await Eventually.HoldsAsync(receiver.ReceiveStatsAsync,
                s => senders.All(sender => s[sender.Id].FramesDecoded >= started[sender.Id].FramesDecoded + FramesRequired),
                MediaTimeout, $"{receiver.Name} decoding {FramesRequired} more frames from both others");
            foreach (var sender in senders)
            {
                var stretch = later[sender.Id].Since(started[sender.Id]);
                Assert.True(stretch.VideoLossRatio < MaxLossRatio, $"{receiver.Name} lost {stretch.VideoLossRatio:P2} of {sender.Name}'s video");
                Assert.True(stretch.AudioLossRatio < MaxLossRatio, $"{receiver.Name} lost {stretch.AudioLossRatio:P2} of {sender.Name}'s audio");
            }
            foreach (var sender in senders)
            {
                await Assertions.Expect(receiver.TileOf(sender)).ToBeVisibleAsync();
            }
        }

        // One code for the three, and each sees the other two from their verified credentials.
        string codeOfThree = await MeetingParticipant.SameSecurityCodeAsync(everyone);
        foreach (var member in everyone)
        {
            var roster = await member.RosterAsync();
            Assert.Equal(3, roster.Count);
            foreach (var other in everyone) Assert.Contains(roster, line => line.StartsWith(other.Name + " (", StringComparison.Ordinal));
        }
        await alice.Page.ScreenshotAsync(new() { Path = Artifacts.Path("meeting-three-participants.png") });

        // Carol leaves: her tile goes, and Alice and Bob keep receiving each other.
        await carol.LeaveAsync();
        await Assertions.Expect(alice.TileOf(carol)).ToHaveCountAsync(0, new() { Timeout = 10_000 });
        await Assertions.Expect(bob.TileOf(carol)).ToHaveCountAsync(0, new() { Timeout = 10_000 });
        await carol.DisposeAsync();
        string codeOfTwo = await MeetingParticipant.SameSecurityCodeAsync([alice, bob], differentFrom: codeOfThree);
        await MeetingParticipant.FramesKeepComingAsync(alice, bob);
        await MeetingParticipant.FramesKeepComingAsync(bob, alice);

        // Dave joins late and sees everyone (how long that takes is measured, not asserted: JoinRenegotiationTests, README "Speed").
        await using var dave = await fixture.JoinAsync(room, "Dave");
        await Eventually.HoldsAsync(dave.ReceiveStatsAsync,
            s => new[] { alice, bob }.All(p => s.TryGetValue(p.Id, out var r) && r.FramesDecoded > 0),
            MediaTimeout, "Dave decoding video from Alice and Bob");
        foreach (var existing in new[] { alice, bob })
        {
            await Eventually.HoldsAsync(existing.ReceiveStatsAsync, s => s.TryGetValue(dave.Id, out var r) && r.FramesDecoded > 0,
                TimeSpan.FromSeconds(10), $"{existing.Name} decoding Dave's video");
        }
        await MeetingParticipant.SameSecurityCodeAsync([alice, bob, dave], differentFrom: codeOfTwo);
    }

    [Fact]
    public async Task An_ice_restart_brings_new_credentials_and_media_goes_on()
    {
        const string room = "ice-restart";
        await using var alice = await fixture.JoinAsync(room, "Alice");
        await using var bob = await fixture.JoinAsync(room, "Bob");
        await Eventually.HoldsAsync(alice.ReceiveStatsAsync, s => s.TryGetValue(bob.Id, out var r) && r.FramesDecoded > 10,
            MediaTimeout, "Alice decoding Bob's video");
        const string remoteUfrag = "() => /a=ice-ufrag:(\\S+)/.exec(window.conclave.session.pc.remoteDescription.sdp)[1]";
        string before = await alice.Page.EvaluateAsync<string>(remoteUfrag);

        await alice.Page.EvaluateAsync("() => window.conclave.session.restartIce()");

        await Eventually.HoldsAsync(() => alice.Page.EvaluateAsync<string>(remoteUfrag), after => after != before,
            TimeSpan.FromSeconds(10), "Alice's session taking the appliance's new ICE credentials");
        await MeetingParticipant.FramesKeepComingAsync(alice, bob);
        await MeetingParticipant.FramesKeepComingAsync(bob, alice);
        Assert.Equal("connected", await alice.Page.EvaluateAsync<string>("() => window.conclave.session.pc.iceConnectionState"));

        // Mute turns the microphone track off and says so on the button.
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Mute" }).ClickAsync();
        await Assertions.Expect(alice.Page.GetByRole(AriaRole.Button, new() { Name = "Unmute" })).ToHaveAttributeAsync("aria-pressed", "true");
        Assert.False(await alice.Page.EvaluateAsync<bool>("() => document.querySelector('#self-video').srcObject.getAudioTracks()[0].enabled"));
    }
}
