using Conclave.Meetings.Accounts;
using Conclave.Meetings.Audit;
using static Conclave.Meetings.Tests.DomainHarness;

namespace Conclave.Meetings.Tests.Accounts;

public sealed class AccountServiceTests : IDisposable
{
    private readonly DomainHarness _h = new();
    private readonly Account _admin;
    private readonly Account _alice;

    public AccountServiceTests()
    {
        _admin = _h.NewAccount("root", Role.Admin);
        _alice = _h.NewAccount("alice", Role.Host | Role.Member);
    }

    public void Dispose() => _h.Dispose();

    private AccountService Accounts => _h.Accounts;

    private void FailLogins(int times, string user = "alice")
    {
        for (int i = 0; i < times; i++) Assert.Equal(LoginOutcome.WrongCredentials, _h.Login(user, "wrong password!").Outcome);
    }

    // ---- the first admin ------------------------------------------------------------------

    [Fact]
    public void The_setup_token_creates_the_first_admin_once()
    {
        using var fresh = new DomainHarness();
        string token = fresh.Accounts.Setup.Issue();

        var admin = fresh.Accounts.CreateFirstAdmin(token, "Boss", "The Boss", Password, Source);

        Assert.Equal("boss", admin.UserName);
        Assert.Equal(Role.Admin, admin.Roles);
        Assert.True(fresh.Accounts.AdminExists);
        Assert.Equal(new AuditRecord($"anonymous@{Source}", AuditAction.SetupFirstAdmin, "user:boss", "ok"), fresh.Audit.Last);
        Refused(DomainErrorKind.Gone, () => fresh.Accounts.CreateFirstAdmin(token, "boss2", "Another", Password, Source));
    }

    [Fact]
    public void A_wrong_setup_token_is_gone_and_creates_nobody()
    {
        using var fresh = new DomainHarness();
        fresh.Accounts.Setup.Issue();

        Refused(DomainErrorKind.Gone, () => fresh.Accounts.CreateFirstAdmin("not-the-token", "boss", "The Boss", Password, Source));

        Assert.False(fresh.Accounts.AdminExists);
        Assert.Equal("refused: invalid or used setup link", fresh.Audit.Last.Outcome);
    }

    [Fact]
    public void A_new_setup_token_is_gone_once_an_admin_exists()
    {
        string token = Accounts.Setup.Issue();

        Refused(DomainErrorKind.Gone, () => Accounts.CreateFirstAdmin(token, "boss", "The Boss", Password, Source));
    }

    [Fact]
    public void The_first_admin_must_enrol_a_second_factor()
    {
        using var fresh = new DomainHarness();
        var admin = fresh.Accounts.CreateFirstAdmin(fresh.Accounts.Setup.Issue(), "boss", "The Boss", Password, Source);

        Assert.True(admin.MustEnrolSecondFactor);
        Assert.True(fresh.Login("boss").Succeeded);
        Assert.Equal("ok: must enrol TOTP", fresh.Audit.Last.Outcome);
    }

    /// <summary>
    /// A refused setup form does not burn the one-time link: the setup page shows the form
    /// again with the error and the same token, and that token still creates the first admin.
    /// </summary>
    [Fact]
    public void A_first_admin_form_refused_as_invalid_leaves_the_setup_token_usable()
    {
        using var fresh = new DomainHarness();
        string token = fresh.Accounts.Setup.Issue();
        Refused(DomainErrorKind.Invalid, () => fresh.Accounts.CreateFirstAdmin(token, "boss", "The Boss", "too short", Source));

        var admin = fresh.Accounts.CreateFirstAdmin(token, "boss", "The Boss", Password, Source);

        Assert.Equal("boss", admin.UserName);
    }

    // ---- logins ------------------------------------------------------------------------------

    [Fact]
    public void The_right_password_logs_in()
    {
        var result = _h.Login("alice");

        Assert.Equal(LoginOutcome.Succeeded, result.Outcome);
        Assert.Equal(_alice.Id, result.Account!.Id);
        Assert.Equal(new AuditRecord($"user:alice@{Source}", AuditAction.Login, "console", "ok"), _h.Audit.Last);
    }

    [Fact]
    public void The_user_name_is_not_case_sensitive()
    {
        Assert.True(_h.Login("  ALICE ").Succeeded);
    }

    [Fact]
    public void A_wrong_password_is_refused_as_wrong_credentials()
    {
        var result = _h.Login("alice", "not the password");

        Assert.Equal(LoginOutcome.WrongCredentials, result.Outcome);
        Assert.Null(result.Account);
        Assert.Equal("refused: wrong credentials", _h.Audit.Last.Outcome);
    }

    /// <summary>
    /// An empty or missing password is wrong credentials, for a known user as for an unknown
    /// one, never an error (Konscious' Argon2 refuses an empty input, so the hasher must not
    /// pass one on).
    /// </summary>
    [Theory]
    [InlineData("alice", "")]
    [InlineData("alice", null)]
    [InlineData("nobody", "")]
    public void An_empty_password_is_wrong_credentials(string user, string? password)
    {
        Assert.Equal(LoginOutcome.WrongCredentials, Accounts.Login(user, password, null, Source).Outcome);
    }

    [Fact]
    public void An_unknown_user_gets_the_same_answer_as_a_wrong_password()
    {
        var wrongPassword = _h.Login("alice", "not the password");
        var unknownUser = _h.Login("nobody", Password);

        Assert.Equal(LoginOutcome.WrongCredentials, unknownUser.Outcome);
        Assert.Equal(wrongPassword.Message, unknownUser.Message);
        Assert.Equal("refused: unknown user", _h.Audit.Last.Outcome);
    }

    [Fact]
    public void A_typed_user_name_with_a_newline_or_an_escape_sequence_is_audited_escaped()
    {
        _h.Login("eve\nuser:root@192.0.2.1 login ok");
        Assert.Equal($@"user:eve\x0auser:root@192.0.2.1 login ok@{Source}", _h.Audit.Last.Actor);

        _h.Login("\u001b[2Jeve");
        Assert.Equal($@"user:\x1b[2jeve@{Source}", _h.Audit.Last.Actor);
    }

    [Fact]
    public void A_10_KB_typed_user_name_is_audited_as_an_anonymous_attempt()
    {
        _h.Login(new string('a', 10 * 1024));

        Assert.Equal(new AuditRecord($"anonymous@{Source}", AuditAction.Login, "console", "refused: unknown user"), _h.Audit.Last);
    }

    private const string Attacker = "198.51.100.66";

    private void FailLoginsFrom(string source, int times, string user = "alice")
    {
        for (int i = 0; i < times; i++) Assert.Equal(LoginOutcome.WrongCredentials, _h.Login(user, "wrong password!", source: source).Outcome);
    }

    [Fact]
    public void The_fifth_failure_from_one_source_pauses_that_name_from_there_and_locks_no_account()
    {
        FailLogins(4);
        Assert.Equal("refused: wrong credentials", _h.Audit.Last.Outcome);

        FailLogins(1);

        Assert.Equal($"refused: wrong credentials, throttled until {_h.Now + TimeSpan.FromSeconds(1):u}", _h.Audit.Last.Outcome);
        var alice = _h.Reload(_alice);
        Assert.Null(alice.LockedUntil);
        Assert.Equal(0, alice.FailedLogins);
    }

    [Fact]
    public void After_five_failures_the_right_password_is_refused_from_that_source_but_accepted_from_another_and_after_the_pause()
    {
        FailLoginsFrom(Attacker, 5);

        var fromAttacker = _h.Login("alice", Password, source: Attacker);
        Assert.Equal(LoginOutcome.WrongCredentials, fromAttacker.Outcome);
        Assert.Null(fromAttacker.Account);
        Assert.Equal($"user:alice@{Attacker}", _h.Audit.Last.Actor);
        Assert.Equal($"refused: not checked, throttled until {_h.Now + TimeSpan.FromSeconds(1):u}", _h.Audit.Last.Outcome);

        Assert.True(_h.Login("alice", Password, source: Source).Succeeded);

        _h.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(_h.Login("alice", Password, source: Attacker).Succeeded);
    }

    [Fact]
    public void An_admin_hammered_from_one_source_logs_in_from_their_own()
    {
        byte[] secret = _h.EnrolTotp(_admin);
        _h.Time.Advance(TimeSpan.FromSeconds(30));

        for (int i = 0; i < 40; i++) Assert.Equal(LoginOutcome.WrongCredentials, _h.Login("root", "guessing away!!", source: Attacker).Outcome);
        Assert.StartsWith("refused: not checked, throttled until", _h.Audit.Last.Outcome, StringComparison.Ordinal);

        Assert.True(_h.Login("root", code: _h.CodeNow(secret)).Succeeded);
    }

    [Fact]
    public void Pauses_double_with_each_further_try_up_to_fifteen_minutes()
    {
        FailLogins(5);

        foreach (int seconds in new[] { 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900 })
        {
            var pause = TimeSpan.FromSeconds(seconds);
            Assert.Equal($"refused: wrong credentials, throttled until {_h.Now + pause:u}", _h.Audit.Last.Outcome);
            _h.Time.Advance(pause - TimeSpan.FromMilliseconds(1));
            Assert.Equal(LoginOutcome.WrongCredentials, _h.Login("alice").Outcome);
            Assert.StartsWith("refused: not checked", _h.Audit.Last.Outcome, StringComparison.Ordinal);
            _h.Time.Advance(TimeSpan.FromMilliseconds(1));
            FailLogins(1);
        }
    }

    [Fact]
    public void Unknown_names_are_paced_exactly_like_existing_ones()
    {
        FailLogins(5, user: "nobody");

        Assert.Equal("refused: unknown user, throttled until " + $"{_h.Now + TimeSpan.FromSeconds(1):u}", _h.Audit.Last.Outcome);
        Assert.Equal(LoginOutcome.WrongCredentials, _h.Login("nobody").Outcome);
        Assert.StartsWith("refused: not checked", _h.Audit.Last.Outcome, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_password_an_unknown_name_and_a_paused_name_get_one_answer()
    {
        var wrongPassword = _h.Login("alice", "not the password");
        var unknownName = _h.Login("nobody", Password);
        FailLoginsFrom(Attacker, 5);
        var paused = _h.Login("alice", Password, source: Attacker);

        Assert.All(new[] { wrongPassword, unknownName, paused }, result =>
        {
            Assert.Equal(LoginOutcome.WrongCredentials, result.Outcome);
            Assert.Equal(AccountService.RefusedMessage, result.Message);
            Assert.Null(result.Account);
        });
    }

    [Theory]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:3::1")]
    [InlineData("192.0.2.77", "::ffff:192.0.2.77", "192.0.2.78")]
    public void IPv6_sources_are_paced_by_their_64_prefix_and_IPv4_sources_each_alone(string failing, string sameNetwork, string otherNetwork)
    {
        FailLoginsFrom(failing, 5);

        Assert.Equal(LoginOutcome.WrongCredentials, _h.Login("alice", source: sameNetwork).Outcome);
        Assert.StartsWith("refused: not checked", _h.Audit.Last.Outcome, StringComparison.Ordinal);
        Assert.True(_h.Login("alice", source: otherNetwork).Succeeded);
    }

    [Fact]
    public void A_name_is_forgotten_by_a_source_fifteen_minutes_after_its_pause_ends()
    {
        FailLogins(5);

        _h.Time.Advance(TimeSpan.FromSeconds(1) + TimeSpan.FromMinutes(15));
        FailLogins(4);

        Assert.Equal("refused: wrong credentials", _h.Audit.Last.Outcome);
    }

    [Fact]
    public void Tries_spaced_wider_than_their_pauses_are_all_checked()
    {
        for (int i = 0; i < 8; i++)
        {
            FailLogins(1);
            Assert.StartsWith("refused: wrong credentials", _h.Audit.Last.Outcome, StringComparison.Ordinal);
            _h.Time.Advance(TimeSpan.FromMinutes(4));
        }

        Assert.Null(_h.Reload(_alice).LockedUntil);
        Assert.True(_h.Login("alice").Succeeded);
    }

    [Fact]
    public void A_successful_login_forgets_earlier_failures()
    {
        FailLogins(4);
        Assert.True(_h.Login("alice").Succeeded);

        FailLogins(4);

        Assert.True(_h.Login("alice").Succeeded);
    }

    [Fact]
    public void A_lock_stored_by_an_earlier_version_blocks_nothing_and_a_login_clears_it()
    {
        _h.Database.Accounts.Update(_h.Reload(_alice) with { FailedLogins = 5, FirstFailureAt = _h.Now, LockedUntil = _h.Now.AddMinutes(15) });

        Assert.True(_h.Login("alice").Succeeded);

        var alice = _h.Reload(_alice);
        Assert.Equal((0, null, null), (alice.FailedLogins, alice.FirstFailureAt, alice.LockedUntil));
    }

    [Fact]
    public void Thirty_failures_from_one_source_throttle_its_next_attempt()
    {
        for (int i = 0; i < 30; i++) Assert.Equal(LoginOutcome.WrongCredentials, _h.Login($"ghost{i}", Password).Outcome);

        var result = _h.Login("alice", Password);

        Assert.Equal(LoginOutcome.Throttled, result.Outcome);
        Assert.Equal("refused: too many failures from this address", _h.Audit.Last.Outcome);
        Assert.True(_h.Login("alice", Password, source: "198.51.100.7").Succeeded);
    }

    [Fact]
    public void Failures_from_addresses_of_one_ipv6_64_throttle_the_whole_64()
    {
        for (int i = 0; i < 30; i++) _h.Login($"ghost{i}", Password, source: $"2001:db8:7:7::{i + 1:x}");

        Assert.Equal(LoginOutcome.Throttled, _h.Login("alice", Password, source: "2001:db8:7:7:ffff::1").Outcome);
        Assert.True(_h.Login("alice", Password, source: "2001:db8:7:8::1").Succeeded);
    }

    [Theory]
    [InlineData("192.0.2.7", "192.0.2.7")]
    [InlineData("::ffff:192.0.2.7", "192.0.2.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    public void An_ipv6_source_counts_as_its_64_and_an_ipv4_source_as_itself(string address, string network) =>
        Assert.Equal(network, SourceNetwork.Of(address));

    [Fact]
    public void A_source_throttle_ends_with_its_window()
    {
        for (int i = 0; i < 30; i++) _h.Login($"ghost{i}", Password);
        _h.Time.Advance(TimeSpan.FromMinutes(15));

        Assert.True(_h.Login("alice").Succeeded);
    }

    [Fact]
    public void A_disabled_account_with_the_right_password_is_refused()
    {
        Accounts.SetDisabled(_admin, _alice.Id, true);

        Assert.Equal(LoginOutcome.Disabled, _h.Login("alice").Outcome);
    }

    // ---- TOTP ------------------------------------------------------------------------------------

    [Fact]
    public void A_confirmed_TOTP_enrolment_replaces_the_must_enrol_state()
    {
        _h.EnrolTotp(_admin);

        var admin = _h.Reload(_admin);
        Assert.True(admin.HasSecondFactor);
        Assert.False(admin.MustEnrolSecondFactor);
        Assert.Null(admin.SealedPendingTotpSecret);
        Assert.Equal(new AuditRecord("user:root", AuditAction.TotpEnrol, "user:root", "ok"), _h.Audit.Last);
    }

    [Fact]
    public void The_TOTP_seed_is_stored_sealed()
    {
        byte[] secret = _h.EnrolTotp(_admin);

        byte[] stored = _h.Reload(_admin).SealedTotpSecret!;
        Assert.Equal(secret, _h.Secrets.Unprotect(stored, "seed"));
        Assert.DoesNotContain(Convert.ToHexString(secret), Convert.ToHexString(stored), StringComparison.Ordinal);
    }

    [Fact]
    public void After_enrolment_a_login_needs_the_current_code_once()
    {
        byte[] secret = _h.EnrolTotp(_admin);
        _h.Time.Advance(TimeSpan.FromSeconds(30));
        string code = _h.CodeNow(secret);

        Assert.Equal(LoginOutcome.WrongCredentials, _h.Login("root").Outcome);
        Assert.True(_h.Login("root", code: code).Succeeded);
        Assert.Equal(LoginOutcome.WrongCredentials, _h.Login("root", code: code).Outcome);
    }

    [Fact]
    public void The_code_that_confirmed_the_enrolment_cannot_log_in()
    {
        byte[] secret = _h.EnrolTotp(_admin);

        Assert.Equal(LoginOutcome.WrongCredentials, _h.Login("root", code: _h.CodeNow(secret)).Outcome);
    }

    [Fact]
    public void A_right_code_with_a_wrong_password_is_refused()
    {
        byte[] secret = _h.EnrolTotp(_admin);
        _h.Time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(LoginOutcome.WrongCredentials, _h.Login("root", "not the password", _h.CodeNow(secret)).Outcome);
    }

    [Fact]
    public void A_wrong_confirmation_code_is_invalid_and_enrols_nothing()
    {
        byte[] secret = _h.BeginTotp(_admin);
        string right = _h.CodeNow(secret);
        string wrong = (char)('0' + (right[0] - '0' + 5) % 10) + right[1..];

        Refused(DomainErrorKind.Invalid, () => Accounts.ConfirmTotpEnrolment(_admin, Password, null, wrong, Source));

        Assert.False(_h.Reload(_admin).HasSecondFactor);
        Assert.Equal("refused: wrong code", _h.Audit.Last.Outcome);
    }

    [Fact]
    public void Confirming_without_beginning_is_invalid()
    {
        Refused(DomainErrorKind.Invalid, () => Accounts.ConfirmTotpEnrolment(_admin, Password, null, "123456", Source));
    }

    [Fact]
    public void A_first_enrolment_takes_the_password()
    {
        byte[] secret = _h.BeginTotp(_admin);

        Refused(DomainErrorKind.Invalid, () => Accounts.ConfirmTotpEnrolment(_admin, "not the password", null, _h.CodeNow(secret), Source));

        Assert.False(_h.Reload(_admin).HasSecondFactor);
        Assert.Equal(new AuditRecord("user:root", AuditAction.TotpEnrol, "user:root", "refused: wrong password"), _h.Audit.Last);
    }

    [Fact]
    public void Replacing_an_authenticator_takes_the_password_and_a_fresh_code_from_the_current_one()
    {
        byte[] old = _h.EnrolTotp(_admin);
        _h.Time.Advance(TimeSpan.FromSeconds(30));
        byte[] replacement = _h.BeginTotp(_admin);

        Refused(DomainErrorKind.Invalid, () => Accounts.ConfirmTotpEnrolment(_admin, Password, null, _h.CodeNow(replacement), Source));
        Refused(DomainErrorKind.Invalid, () => Accounts.ConfirmTotpEnrolment(_admin, "not the password", _h.CodeNow(old), _h.CodeNow(replacement), Source));
        Assert.Equal("refused: wrong password or current code", _h.Audit.Last.Outcome);
        Assert.Equal(old, _h.Secrets.Unprotect(_h.Reload(_admin).SealedTotpSecret!, "seed"));

        Accounts.ConfirmTotpEnrolment(_admin, Password, _h.CodeNow(old), _h.CodeNow(replacement), Source);

        Assert.Equal(new AuditRecord("user:root", AuditAction.TotpEnrol, "user:root", "ok: replaced the enrolled authenticator"), _h.Audit.Last);
        _h.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(LoginOutcome.WrongCredentials, _h.Login("root", code: _h.CodeNow(old)).Outcome);
        Assert.True(_h.Login("root", code: _h.CodeNow(replacement)).Succeeded);
    }

    /// <summary>
    /// Replacing an enrolled authenticator takes the password and a fresh code from the current
    /// one: a live session alone cannot bind a new app.
    /// </summary>
    [Fact]
    public void A_session_cannot_replace_an_authenticator_with_the_new_apps_code_alone()
    {
        byte[] old = _h.EnrolTotp(_admin);
        byte[] replacement = _h.BeginTotp(_admin);

        Refused(DomainErrorKind.Invalid, () => Accounts.ConfirmTotpEnrolment(_admin, null, null, _h.CodeNow(replacement), Source));

        Assert.Equal(old, _h.Secrets.Unprotect(_h.Reload(_admin).SealedTotpSecret!, "seed"));
        Assert.Equal("refused: wrong password or current code", _h.Audit.Last.Outcome);
    }

    [Fact]
    public void The_current_code_given_for_a_replacement_is_spent_even_when_the_new_code_is_wrong()
    {
        byte[] old = _h.EnrolTotp(_admin);
        _h.Time.Advance(TimeSpan.FromSeconds(30));
        _h.BeginTotp(_admin);
        string current = _h.CodeNow(old);

        Refused(DomainErrorKind.Invalid, () => Accounts.ConfirmTotpEnrolment(_admin, Password, current, "000000", Source));

        Assert.Equal("refused: wrong code", _h.Audit.Last.Outcome);
        Assert.Equal(LoginOutcome.WrongCredentials, _h.Login("root", code: current).Outcome);
    }

    [Fact]
    public void Wrong_passwords_at_enrolment_are_paced_with_the_logins_of_the_name_from_that_source()
    {
        byte[] secret = _h.BeginTotp(_alice);
        for (int i = 0; i < 5; i++)
        {
            Refused(DomainErrorKind.Invalid, () => Accounts.ConfirmTotpEnrolment(_alice, "not the password", null, _h.CodeNow(secret), Attacker));
        }

        Refused(DomainErrorKind.Invalid, () => Accounts.ConfirmTotpEnrolment(_alice, Password, null, _h.CodeNow(secret), Attacker));

        Assert.StartsWith("refused: not checked, throttled until", _h.Audit.Last.Outcome, StringComparison.Ordinal);
        Assert.Equal(LoginOutcome.WrongCredentials, _h.Login("alice", source: Attacker).Outcome);
        Assert.False(_h.Reload(_alice).HasSecondFactor);
        Accounts.ConfirmTotpEnrolment(_alice, Password, null, _h.CodeNow(secret), Source);
        Assert.True(_h.Reload(_alice).HasSecondFactor);
    }

    [Fact]
    public void A_tampered_TOTP_seed_fails_loudly_instead_of_logging_in()
    {
        _h.EnrolTotp(_admin);
        var admin = _h.Reload(_admin);
        byte[] tampered = admin.SealedTotpSecret!.ToArray();
        tampered[^1] ^= 1;
        _h.Database.Accounts.Update(admin with { SealedTotpSecret = tampered });

        Assert.Throws<InvalidDataException>(() => _h.Login("root", code: "123456"));
    }

    // ---- sessions ------------------------------------------------------------------------------

    [Fact]
    public void A_session_cookie_authenticates_its_account()
    {
        var started = Accounts.StartSession(_alice);

        var who = Accounts.Authenticate(started.CookieValue);

        Assert.Equal(_alice.Id, who?.Account.Id);
        Assert.Equal(started.Session.CsrfToken, who?.Session.CsrfToken);
    }

    [Fact]
    public void A_cookie_with_one_character_changed_is_refused()
    {
        string cookie = Accounts.StartSession(_alice).CookieValue;
        string altered = (cookie[0] == 'A' ? 'B' : 'A') + cookie[1..];

        Assert.Null(Accounts.Authenticate(altered));
        Assert.NotNull(Accounts.Authenticate(cookie));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not a cookie")]
    public void A_malformed_cookie_is_refused(string? cookie)
    {
        Accounts.StartSession(_alice);

        Assert.Null(Accounts.Authenticate(cookie));
    }

    /// <summary>
    /// A forged session cookie of the right length but with characters outside the base64url
    /// alphabet is no session, never an exception (Base64Url.TryDecodeFromChars throws on such
    /// characters; it returns false only for a short destination).
    /// </summary>
    [Fact]
    public void A_cookie_of_the_right_length_but_not_base64url_is_refused()
    {
        Accounts.StartSession(_alice);

        Assert.Null(Accounts.Authenticate(new string('!', 43)));
    }

    [Fact]
    public void A_session_idle_longer_than_the_setting_ends()
    {
        string cookie = Accounts.StartSession(_alice).CookieValue;

        _h.Time.Advance(TimeSpan.FromMinutes(31));

        Assert.Null(Accounts.Authenticate(cookie));
    }

    [Fact]
    public void A_session_in_use_stays_alive_past_the_idle_time()
    {
        string cookie = Accounts.StartSession(_alice).CookieValue;

        for (int i = 0; i < 4; i++)
        {
            _h.Time.Advance(TimeSpan.FromMinutes(20));
            Assert.NotNull(Accounts.Authenticate(cookie));
        }
    }

    [Fact]
    public void A_session_ends_after_twelve_hours_however_busy()
    {
        string cookie = Accounts.StartSession(_alice).CookieValue;
        for (int i = 0; i < 35; i++)
        {
            _h.Time.Advance(TimeSpan.FromMinutes(20));
            Assert.NotNull(Accounts.Authenticate(cookie));
        }

        _h.Time.Advance(TimeSpan.FromMinutes(21));

        Assert.Null(Accounts.Authenticate(cookie));
    }

    [Fact]
    public void A_disabled_accounts_session_ends()
    {
        string cookie = Accounts.StartSession(_alice).CookieValue;

        _h.Database.Accounts.Update(_h.Reload(_alice) with { Disabled = true });

        Assert.Null(Accounts.Authenticate(cookie));
    }

    [Fact]
    public void Disabling_an_account_ends_its_sessions()
    {
        string cookie = Accounts.StartSession(_alice).CookieValue;

        Accounts.SetDisabled(_admin, _alice.Id, true);
        Accounts.SetDisabled(_admin, _alice.Id, false);

        Assert.Null(Accounts.Authenticate(cookie));
    }

    [Fact]
    public void Logout_ends_the_session()
    {
        var started = Accounts.StartSession(_alice);

        Accounts.Logout(started.Session, _alice);

        Assert.Null(Accounts.Authenticate(started.CookieValue));
        Assert.Equal(new AuditRecord("user:alice", AuditAction.Logout, "console", "ok"), _h.Audit.Last);
    }

    // ---- what admins do -----------------------------------------------------------------------

    [Fact]
    public void An_admin_creates_an_account_that_can_log_in()
    {
        var bob = Accounts.CreateAccount(_admin, "Bob", "Bob B.", "another fine password", Role.Member);

        Assert.Equal("bob", bob.UserName);
        Assert.Equal(new AuditRecord("user:root", AuditAction.UserCreate, "user:bob", "ok: roles member"), _h.Audit.Last);
        Assert.True(_h.Login("bob", "another fine password").Succeeded);
    }

    [Fact]
    public void A_non_admin_cannot_create_accounts_and_the_refusal_is_audited()
    {
        Refused(DomainErrorKind.Forbidden, () => Accounts.CreateAccount(_alice, "bob", "Bob", Password, Role.Member));

        Assert.Null(_h.Database.Accounts.FindByUserName("bob"));
        Assert.Equal(new AuditRecord("user:alice", AuditAction.Authorize, "create users", "refused: not an admin"), _h.Audit.Last);
    }

    [Fact]
    public void A_user_name_taken_in_another_case_conflicts()
    {
        Refused(DomainErrorKind.Conflict, () => Accounts.CreateAccount(_admin, "ALICE", "Another Alice", Password, Role.Member));
    }

    [Fact]
    public void An_account_without_a_role_is_invalid()
    {
        Refused(DomainErrorKind.Invalid, () => Accounts.CreateAccount(_admin, "bob", "Bob", Password, Role.None));
        Refused(DomainErrorKind.Invalid, () => Accounts.SetRoles(_admin, _alice.Id, Role.None));
    }

    [Theory]
    [InlineData("superuser")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("admin,host")]
    public void An_unknown_role_name_is_refused(string? name)
    {
        Assert.False(Roles.TryParse(name, out _));
    }

    [Fact]
    public void A_short_password_is_invalid()
    {
        Refused(DomainErrorKind.Invalid, () => Accounts.CreateAccount(_admin, "bob", "Bob", new string('x', PasswordHasher.MinPasswordLength - 1), Role.Member));
        Refused(DomainErrorKind.Invalid, () => Accounts.ResetPassword(_admin, _alice.Id, "short"));
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("-alice")]
    [InlineData("al ice")]
    [InlineData("")]
    public void A_malformed_user_name_is_invalid(string name)
    {
        Refused(DomainErrorKind.Invalid, () => Accounts.CreateAccount(_admin, name, "Someone", Password, Role.Member));
    }

    [Fact]
    public void Resetting_a_password_clears_TOTP_and_the_pauses_on_the_name()
    {
        _h.EnrolTotp(_alice);
        FailLogins(5);
        Assert.Equal(LoginOutcome.WrongCredentials, _h.Login("alice").Outcome);
        Assert.StartsWith("refused: not checked", _h.Audit.Last.Outcome, StringComparison.Ordinal);

        Accounts.ResetPassword(_admin, _alice.Id, "a brand new password");

        Assert.False(_h.Reload(_alice).HasSecondFactor);
        Assert.True(_h.Login("alice", "a brand new password").Succeeded);
        Assert.Equal(LoginOutcome.WrongCredentials, _h.Login("alice", Password).Outcome);
    }

    [Fact]
    public void An_admin_cannot_take_their_own_admin_role_or_disable_themselves()
    {
        Refused(DomainErrorKind.Invalid, () => Accounts.SetRoles(_admin, _admin.Id, Role.Host));
        Refused(DomainErrorKind.Invalid, () => Accounts.SetDisabled(_admin, _admin.Id, true));
    }

    [Fact]
    public void Changing_roles_ends_the_accounts_sessions()
    {
        string cookie = Accounts.StartSession(_alice).CookieValue;

        Accounts.SetRoles(_admin, _alice.Id, Role.Member);

        Assert.Null(Accounts.Authenticate(cookie));
        Assert.Equal(Role.Member, _h.Reload(_alice).Roles);
    }
}
