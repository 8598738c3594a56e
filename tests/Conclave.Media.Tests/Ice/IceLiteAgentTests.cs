using System.Net;
using System.Text;
using Conclave.Media.Ice;
using Conclave.Media.Stun;
using Conclave.Media.Tests.Stun;
using Conclave.Testing;

namespace Conclave.Media.Tests.Ice;

public sealed class IceLiteAgentTests
{
    private static readonly IceCredentials Local = new("lOcAl123", "local-password-0123456789");
    private static readonly IceCredentials Remote = new("rEmO", "remote-password-0123456789");
    private static readonly SocketAddress Browser = new IPEndPoint(IPAddress.Parse("127.0.0.1"), 50123).Serialize();

    private static (IceCheckOutcome Outcome, byte[] Response) Handle(IceLiteAgent agent, byte[] request, long nowMs = 1000)
    {
        Assert.True(StunMessage.TryParse(request, out var message));
        var response = new byte[256];
        var outcome = agent.HandleBindingRequest(message, Browser, nowMs, response, out int length);
        return (outcome, response[..length]);
    }

    [Fact]
    public void A_good_check_is_answered_signed_with_the_local_password_and_names_the_browsers_address()
    {
        var agent = new IceLiteAgent(Local);
        var request = IceConnectivityCheck.Request("lOcAl123:rEmO", Local.Password);
        var (outcome, response) = Handle(agent, request);

        Assert.Equal(IceCheckOutcome.Answered, outcome);
        Assert.True(StunMessage.TryParse(response, out var message));
        Assert.Equal(StunMessageType.BindingSuccessResponse, message.MessageType);
        Assert.True(StunMessage.TryParse(request, out var parsedRequest));
        Assert.Equal(parsedRequest.TransactionId.ToArray(), message.TransactionId.ToArray());
        Assert.True(message.VerifyMessageIntegrity(Encoding.UTF8.GetBytes(Local.Password)));
        Assert.True(message.VerifyFingerprint());
        Assert.True(message.TryGetAttribute(StunAttributeType.XorMappedAddress, out var xor));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.0.1"), 50123), StunTestPeer.DecodeXorMappedAddress(xor, message.TransactionId));
    }

    [Fact]
    public void Use_candidate_nominates()
    {
        var agent = new IceLiteAgent(Local);
        Assert.Equal(IceCheckOutcome.AnsweredNominated, Handle(agent, IceConnectivityCheck.Request("lOcAl123:rEmO", Local.Password, useCandidate: true)).Outcome);
    }

    [Theory]
    [InlineData("someone:rEmO", "local-password-0123456789", true, IceCheckOutcome.UnknownUsername)]
    [InlineData("lOcAl123", "local-password-0123456789", true, IceCheckOutcome.UnknownUsername)]
    [InlineData("lOcAl123:other", "local-password-0123456789", true, IceCheckOutcome.UnknownUsername)]
    [InlineData("lOcAl123:rEmO", "not-the-local-password!!", true, IceCheckOutcome.BadIntegrity)]
    [InlineData("lOcAl123:rEmO", "local-password-0123456789", false, IceCheckOutcome.BadFingerprint)]
    public void A_bad_check_is_not_answered(string username, string password, bool fingerprint, IceCheckOutcome expected)
    {
        var agent = new IceLiteAgent(Local);
        agent.SetRemote(Remote);
        var (outcome, response) = Handle(agent, IceConnectivityCheck.Request(username, password, fingerprint: fingerprint));
        Assert.Equal(expected, outcome);
        Assert.Empty(response);
        Assert.Equal(0, agent.LastConsentMs);
    }

    [Fact]
    public void Checks_before_the_answer_are_answered_whatever_the_remote_ufrag()
    {
        var agent = new IceLiteAgent(Local);
        Assert.Equal(IceCheckOutcome.Answered, Handle(agent, IceConnectivityCheck.Request("lOcAl123:anything", Local.Password)).Outcome);
    }

    [Fact]
    public void A_peer_that_claims_to_be_controlled_gets_487_role_conflict()
    {
        var agent = new IceLiteAgent(Local);
        var (outcome, response) = Handle(agent, IceConnectivityCheck.Request("lOcAl123:rEmO", Local.Password, controlled: true));
        Assert.Equal(IceCheckOutcome.RoleConflict, outcome);
        Assert.True(StunMessage.TryParse(response, out var message));
        Assert.Equal(StunMessageType.BindingErrorResponse, message.MessageType);
        Assert.True(message.TryGetAttribute(StunAttributeType.ErrorCode, out var error));
        Assert.Equal(487, error[2] * 100 + error[3]);
    }

    [Fact]
    public void Consent_expires_30_s_after_the_last_good_check_RFC_7675()
    {
        var agent = new IceLiteAgent(Local);
        Handle(agent, IceConnectivityCheck.Request("lOcAl123:rEmO", Local.Password), nowMs: 10_000);
        Assert.False(agent.IsConsentExpired(10_000 + 30_000));
        Assert.True(agent.IsConsentExpired(10_000 + 30_001));
        Handle(agent, IceConnectivityCheck.Request("lOcAl123:rEmO", "bad-password-bad-password"), nowMs: 35_000);
        Assert.True(agent.IsConsentExpired(40_001), "a failed check is no consent");
    }

    [Fact]
    public void After_an_ice_restart_the_old_credentials_are_refused_and_the_new_ones_answered()
    {
        var agent = new IceLiteAgent(Local);
        var fresh = IceCredentials.Generate();
        agent.Restart(fresh);
        Assert.Equal(IceCheckOutcome.UnknownUsername, Handle(agent, IceConnectivityCheck.Request("lOcAl123:rEmO", Local.Password)).Outcome);
        Assert.Equal(IceCheckOutcome.Answered, Handle(agent, IceConnectivityCheck.Request($"{fresh.Ufrag}:rEmO", fresh.Password)).Outcome);
    }

    [Fact]
    public void Generated_credentials_meet_rfc8839_lengths_and_alphabet()
    {
        var credentials = IceCredentials.Generate();
        Assert.InRange(credentials.Ufrag.Length, 4, 256);
        Assert.InRange(credentials.Password.Length, 22, 256);
        Assert.Matches("^[A-Za-z0-9+/]+$", credentials.Ufrag + credentials.Password);
    }

    [Fact]
    public void Credentials_written_as_text_hide_the_password()
    {
        var credentials = IceCredentials.Generate();
        Assert.DoesNotContain(credentials.Password, credentials.ToString());
    }

    [Fact]
    public void The_local_ufrag_is_found_without_knowing_the_session()
    {
        Assert.True(StunMessage.TryParse(IceConnectivityCheck.Request("lOcAl123:rEmO", Local.Password), out var check));
        Assert.True(IceUsername.TryGetLocalUfrag(check, out var ufrag));
        Assert.Equal("lOcAl123", Encoding.ASCII.GetString(ufrag));
        Assert.False(StunMessage.TryParse([1, 2, 3], out _), "a datagram that does not parse never gets this far");
        var withoutUsername = new byte[64];
        var writer = new StunMessageWriter(withoutUsername, StunMessageType.BindingRequest, new byte[12]);
        writer.WriteFingerprint();
        Assert.True(StunMessage.TryParse(withoutUsername.AsSpan(0, writer.Length), out var anonymous));
        Assert.False(IceUsername.TryGetLocalUfrag(anonymous, out _));
    }

    [Fact]
    public void Answering_allocates_nothing()
    {
        var agent = new IceLiteAgent(Local);
        var request = IceConnectivityCheck.Request("lOcAl123:rEmO", Local.Password);
        var response = new byte[256];
        Assert.True(StunMessage.TryParse(request, out var message));
        agent.HandleBindingRequest(message, Browser, 1, response, out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            StunMessage.TryParse(request, out message);
            agent.HandleBindingRequest(message, Browser, 1, response, out _);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
