using System.Text;
using Conclave.Meetings.Accounts;
using Microsoft.Extensions.Time.Testing;
using OtpNet;

namespace Conclave.Meetings.Tests.Accounts;

public sealed class TotpAuthenticatorTests
{
    /// <summary>RFC 6238 Appendix B's SHA-1 seed.</summary>
    private static readonly byte[] Rfc6238Secret = Encoding.ASCII.GetBytes("12345678901234567890");

    /// <summary>RFC 6238 Appendix B's SHA-1 rows: Unix time and the 8-digit TOTP.</summary>
    public static TheoryData<long, string> Rfc6238Sha1Vectors => new()
    {
        { 59, "94287082" },
        { 1111111109, "07081804" },
        { 1111111111, "14050471" },
        { 1234567890, "89005924" },
        { 2000000000, "69279037" },
        { 20000000000, "65353130" },
    };

    // A moment 1 second into its step, so "the next step" is still within the accepted drift.
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1111111111);
    private static readonly long NowStep = 1111111111 / TotpAuthenticator.StepSeconds;

    private readonly TotpAuthenticator _authenticator = new(new FakeTimeProvider(Now));
    private readonly byte[] _secret = TotpAuthenticator.NewSecret();

    [Theory]
    [MemberData(nameof(Rfc6238Sha1Vectors))]
    public void Otp_net_gives_the_RFC_6238_appendix_B_codes_at_8_digits(long unixSeconds, string code)
    {
        var totp = new Totp(Rfc6238Secret, step: 30, mode: OtpHashMode.Sha1, totpSize: 8);

        Assert.Equal(code, totp.ComputeTotp(DateTimeOffset.FromUnixTimeSeconds(unixSeconds).UtcDateTime));
    }

    [Theory]
    [MemberData(nameof(Rfc6238Sha1Vectors))]
    public void CodeAt_gives_the_last_6_digits_of_the_RFC_6238_appendix_B_codes(long unixSeconds, string code)
    {
        // RFC 4226 §5.3: the code is the truncated value mod 10^Digits, so 6 digits are the 8-digit code's last 6.
        Assert.Equal(code[^6..], _authenticator.CodeAt(Rfc6238Secret, DateTimeOffset.FromUnixTimeSeconds(unixSeconds)));
    }

    [Fact]
    public void A_new_secret_is_160_random_bits()
    {
        Assert.Equal(20, TotpAuthenticator.NewSecret().Length);
        Assert.NotEqual(TotpAuthenticator.NewSecret(), TotpAuthenticator.NewSecret());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(1)]
    public void TryVerify_accepts_the_code_of_the_current_previous_or_next_step(int stepOffset)
    {
        var code = CodeAtStepOffset(stepOffset);

        Assert.True(_authenticator.TryVerify(_secret, code, lastUsedStep: 0, out var matchedStep));
        Assert.Equal(NowStep + stepOffset, matchedStep);
    }

    [Theory]
    [InlineData(-2)]
    [InlineData(2)]
    public void TryVerify_refuses_a_code_two_steps_away(int stepOffset)
    {
        Assert.False(_authenticator.TryVerify(_secret, CodeAtStepOffset(stepOffset), lastUsedStep: 0, out _));
    }

    [Fact]
    public void TryVerify_trims_whitespace_around_the_code()
    {
        Assert.True(_authenticator.TryVerify(_secret, $" {CodeAtStepOffset(0)}\n", lastUsedStep: 0, out _));
    }

    [Fact]
    public void TryVerify_refuses_a_replayed_code()
    {
        var code = CodeAtStepOffset(0);
        Assert.True(_authenticator.TryVerify(_secret, code, lastUsedStep: 0, out var matchedStep));

        Assert.False(_authenticator.TryVerify(_secret, code, lastUsedStep: matchedStep, out _));
    }

    [Fact]
    public void TryVerify_refuses_a_code_older_than_the_last_used_step()
    {
        Assert.False(_authenticator.TryVerify(_secret, CodeAtStepOffset(-1), lastUsedStep: NowStep, out _));
        Assert.True(_authenticator.TryVerify(_secret, CodeAtStepOffset(1), lastUsedStep: NowStep, out var matchedStep));
        Assert.Equal(NowStep + 1, matchedStep);
    }

    [Fact]
    public void TryVerify_follows_the_clock()
    {
        var clock = new FakeTimeProvider(Now);
        var authenticator = new TotpAuthenticator(clock);
        var code = CodeAtStepOffset(0);

        clock.Advance(TimeSpan.FromSeconds(2 * TotpAuthenticator.StepSeconds));

        Assert.False(authenticator.TryVerify(_secret, code, lastUsedStep: 0, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("12345")]
    [InlineData("1234567")]
    [InlineData("12a456")]
    [InlineData("12 456")]
    [InlineData("+12345")]
    [InlineData("١٢٣٤٥٦")] // Arabic-Indic digits are digits, but not ASCII
    public void TryVerify_refuses_anything_but_6_ASCII_digits(string code)
    {
        Assert.False(_authenticator.TryVerify(_secret, code, lastUsedStep: 0, out var matchedStep));
        Assert.Equal(0, matchedStep);
    }

    [Fact]
    public void ToBase32_round_trips_through_Otp_net_without_padding()
    {
        var secret = new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
        var text = TotpAuthenticator.ToBase32(secret);

        Assert.DoesNotContain('=', text);
        Assert.Equal("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", TotpAuthenticator.ToBase32(Rfc6238Secret));
        Assert.Equal(secret, Base32Encoding.ToBytes(text));
    }

    private string CodeAtStepOffset(int steps) =>
        _authenticator.CodeAt(_secret, Now.AddSeconds(steps * TotpAuthenticator.StepSeconds));
}
