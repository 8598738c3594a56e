using System.Net;
using Conclave.Meetings.Accounts;
using Conclave.Meetings.Ports;
using Conclave.Meetings.Scheduling;
using Conclave.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Conclave.Daemon.Tests;

/// <summary>
/// Guessing over the real HTTPS console of an in-process conclaved: an invitation's passcode
/// (docs/threat-model.md: at most five tries, however many arrive at once) and passwords
/// (docs/accounts.md: paced per name as typed and source network, the same answer whatever
/// the reason). Each guesser connects from a loopback network of its own.
/// </summary>
[Collection(InProcessDaemonCollection.Name)]
public sealed class GuessingTests(InProcessDaemon fixture)
{
    private const string Password = "correct horse battery";

    private IServiceProvider Services => fixture.Daemon.App.Services;

    private Account NewAccount(Role roles) => fixture.NewAccount(roles, Password);

    [Fact]
    public async Task Forty_wrong_passcodes_sent_at_once_get_five_checked_and_afterwards_the_right_one_reads_as_a_wrong_one()
    {
        const string Passcode = "4711";
        var host = NewAccount(Role.Host);
        var meetings = Services.GetRequiredService<MeetingService>();
        var meeting = meetings.Create(host, "Guessing", DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1), []);
        var issued = meetings.Invite(host, meeting.Id, "Careful guest", 24, Passcode);
        string link = $"/i/{issued.LinkToken}";
        using var guesser = new ConsoleClient(fixture.Daemon.HttpsUri, ConsoleClient.NewLoopbackSource());
        string page = await (await guesser.GetAsync(link)).Content.ReadAsStringAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            using var response = await guesser.SubmitFromAsync(page, link, ("passcode", $"{1000 + i}"));
            return (response.StatusCode, Text: WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
        }));

        // Each try is counted before its passcode is checked: five counted, however many came at once.
        var invitation = Services.GetRequiredService<IMeetingStore>().FindInvitation(issued.Invitation.Id)!;
        Assert.Equal(Invitation.MaxPasscodeFailures, invitation.PasscodeFailures);
        Assert.Equal(InvitationState.Revoked, invitation.State);
        // A wrong try checked before the last counted one says how many are left, each count at
        // most once; one whose check ends after the fifth revoked the invitation reads as gone.
        // Every other try is refused.
        var triesLeft = answers.Where(a => a.StatusCode == HttpStatusCode.BadRequest).Select(a => a.Text).ToList();
        Assert.InRange(triesLeft.Count, 1, Invitation.MaxPasscodeFailures - 1);
        for (int left = 1; left < Invitation.MaxPasscodeFailures; left++)
        {
            Assert.True(triesLeft.Count(text => text.Contains($"({left} tries left)", StringComparison.Ordinal)) <= 1, $"\"{left} tries left\" said twice");
        }
        Assert.All(answers.Where(a => a.StatusCode != HttpStatusCode.BadRequest), a => Assert.Equal(HttpStatusCode.Gone, a.StatusCode));

        using var later = new ConsoleClient(fixture.Daemon.HttpsUri, ConsoleClient.NewLoopbackSource());
        string form = await (await later.GetAsync("/login")).Content.ReadAsStringAsync();
        using var right = await later.SubmitFromAsync(form, link, ("passcode", Passcode));
        using var wrong = await later.SubmitFromAsync(form, link, ("passcode", "0000"));
        Assert.Equal(HttpStatusCode.Gone, right.StatusCode);
        Assert.Equal(wrong.StatusCode, right.StatusCode);
        Assert.Equal(await wrong.Content.ReadAsStringAsync(), await right.Content.ReadAsStringAsync());
        Assert.Null(later.Cookie("__Host-conclave-guest"));
    }

    [Fact]
    public async Task Repeated_failed_logins_answer_as_wrong_credentials_do_whether_or_not_the_name_exists_and_the_right_password_too_while_paused()
    {
        var member = NewAccount(Role.Member);
        using var guesser = new ConsoleClient(fixture.Daemon.HttpsUri, ConsoleClient.NewLoopbackSource());
        string form = await (await guesser.GetAsync("/login")).Content.ReadAsStringAsync();
        var first = await TryLoginAsync(guesser, form, member.UserName, "wrong password 0");
        Assert.Equal(HttpStatusCode.Unauthorized, first.Status);
        Assert.Contains(AccountService.RefusedMessage, WebUtility.HtmlDecode(first.Body));

        // Past the five tries before a pause: tries not checked read like tries checked.
        const int Tries = 8;
        for (int i = 1; i < Tries; i++) Assert.Equal(first, await TryLoginAsync(guesser, form, member.UserName, $"wrong password {i}"));
        // The member's name from this network is paused now (a second after the fifth try): even the right password reads as a wrong one.
        Assert.Equal(first, await TryLoginAsync(guesser, form, member.UserName, Password));
        Assert.Null(guesser.Cookie("__Host-conclave-session"));
        for (int i = 0; i < Tries; i++) Assert.Equal(first, await TryLoginAsync(guesser, form, $"nobody{Guid.NewGuid():N}"[..16], $"wrong password {i}"));
        for (int i = 0; i < Tries; i++) Assert.Equal(first, await TryLoginAsync(guesser, form, "no-such-user", $"wrong password {i}"));
    }

    [Fact]
    public async Task Failed_logins_from_elsewhere_do_not_keep_an_admin_out()
    {
        var admin = NewAccount(Role.Admin);
        using var attacker = new ConsoleClient(fixture.Daemon.HttpsUri, ConsoleClient.NewLoopbackSource());
        string form = await (await attacker.GetAsync("/login")).Content.ReadAsStringAsync();
        var answers = new List<HttpStatusCode>();
        // Beyond the pause of the name from there and beyond that network's own limit of failures.
        for (int i = 0; i < 40; i++)
        {
            answers.Add((await TryLoginAsync(attacker, form, admin.UserName, $"guess {i}")).Status);
            if (i % 10 == 9) await Task.Delay(1_100);
        }
        Assert.All(answers, status => Assert.True(status is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests, $"{status}"));

        using var own = new ConsoleClient(fixture.Daemon.HttpsUri, ConsoleClient.NewLoopbackSource());
        string ownForm = await (await own.GetAsync("/login")).Content.ReadAsStringAsync();
        using var login = await own.SubmitFromAsync(ownForm, "/login", ("username", admin.UserName), ("password", Password), ("code", ""), ("return", "/console"));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        // An admin without a second factor enrols one first.
        Assert.Equal("/console/enrol", login.Headers.Location!.OriginalString);
        Assert.NotNull(own.Cookie("__Host-conclave-session"));
    }

    private static async Task<(HttpStatusCode Status, string Body)> TryLoginAsync(ConsoleClient client, string form, string userName, string password)
    {
        using var response = await client.SubmitFromAsync(form, "/login", ("username", userName), ("password", password), ("code", ""), ("return", "/console"));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
