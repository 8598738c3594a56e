using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Conclave.Testing;

namespace Conclave.Daemon.Tests;

/// <summary>The Token page: what the token holds, and the CA certificate browsers need to trust HTTPS.</summary>
[Collection(InProcessDaemonCollection.Name)]
public sealed class ConsoleTokenPageTests(InProcessDaemon fixture)
{
    [Fact]
    public async Task The_credential_ca_offered_for_download_is_the_one_the_page_fingerprints_and_it_issued_the_https_certificate()
    {
        using var admin = await fixture.AdminClientAsync();
        string page = await (await admin.GetAsync("/console/token")).Content.ReadAsStringAsync();
        Assert.Contains("present and logged in", page);

        var download = await admin.GetAsync("/console/token/credential-ca.pem");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        using var ca = X509Certificate2.CreateFromPem(await download.Content.ReadAsStringAsync());
        Assert.Contains(Convert.ToHexString(SHA256.HashData(ca.RawData)), page);

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(fixture.Daemon.Certificate), "the HTTPS certificate chains to the downloaded CA");
    }

    [Fact]
    public async Task A_member_may_not_see_the_token()
    {
        var (_, cookie) = fixture.Meetings.Member("token-page", "Member");
        using var member = new ConsoleClient(fixture.Daemon.HttpsUri);
        member.SetCookie(TestMeetings.SessionCookie, cookie);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.GetAsync("/console/token")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.GetAsync("/console/token/credential-ca.pem")).StatusCode);
    }
}
