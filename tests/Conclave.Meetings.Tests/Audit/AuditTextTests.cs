using Conclave.Meetings.Audit;

namespace Conclave.Meetings.Tests.Audit;

/// <summary>Untrusted text in an audit field stays one printable line, and short.</summary>
public sealed class AuditTextTests
{
    [Fact]
    public void A_newline_cannot_start_a_forged_line()
    {
        Assert.Equal(@"eve\x0d\x0a2030-03-04 user:root login ok", AuditText.Untrusted("eve\r\n2030-03-04 user:root login ok"));
    }

    [Fact]
    public void An_escape_sequence_reaches_no_terminal()
    {
        string escaped = AuditText.Untrusted("\u001b[2J\u001b]0;owned\u0007\u009b31m");

        Assert.Equal(@"\x1b[2J\x1b]0;owned\x07\x9b31m", escaped);
        Assert.DoesNotContain(escaped, char.IsControl);
    }

    [Theory]
    [InlineData("admin\u202e", @"admin\u202e")] // right-to-left override: reorders what follows on screen
    [InlineData("a\u2028b", @"a\u2028b")] // line separator
    [InlineData("a\u200bb", @"a\u200bb")] // zero-width space: two names that look alike
    [InlineData("a\u0085b", @"a\x85b")] // next line (C1)
    [InlineData("a\u007fb", @"a\x7fb")] // delete
    public void Invisible_and_reordering_characters_are_escaped(string text, string expected)
    {
        Assert.Equal(expected, AuditText.Untrusted(text));
    }

    [Fact]
    public void A_lone_surrogate_is_escaped_it_is_not_text_at_all()
    {
        Assert.Equal(@"a\ud800b", AuditText.Untrusted("a" + (char)0xd800 + "b"));
    }

    [Fact]
    public void A_10_KB_name_is_cut_to_the_longest_user_name_and_marked_as_cut()
    {
        string escaped = AuditText.Untrusted(new string('x', 10 * 1024));

        Assert.Equal(new string('x', AuditText.MaxUntrustedLength) + "…", escaped);
    }

    [Fact]
    public void Ten_KB_of_newlines_are_cut_before_they_are_escaped()
    {
        string escaped = AuditText.Untrusted(new string('\n', 10 * 1024));

        Assert.Equal(string.Concat(Enumerable.Repeat(@"\x0a", AuditText.MaxUntrustedLength)) + "…", escaped);
    }

    [Fact]
    public void A_cut_never_splits_a_character_outside_the_basic_plane()
    {
        string text = new string('x', AuditText.MaxUntrustedLength - 1) + "😀😀";

        Assert.Equal(new string('x', AuditText.MaxUntrustedLength - 1) + "…", AuditText.Untrusted(text));
    }

    [Fact]
    public void A_typed_backslash_is_doubled_so_it_cannot_pass_for_an_escape()
    {
        Assert.Equal(@"\\x0a", AuditText.Untrusted(@"\x0a"));
    }

    [Theory]
    [InlineData("192.0.2.10")]
    [InlineData("/console/meetings/AbC-_9xyz012")]
    [InlineData("Zoë, 会議 😀")]
    public void Printable_untrusted_text_is_kept_as_it_is(string text)
    {
        Assert.Same(text, AuditText.Untrusted(text));
    }

    [Fact]
    public void Printable_escapes_control_characters_but_keeps_backslashes_and_length()
    {
        string record = @"user:eve\x0a" + "\u001b[2J" + new string('x', 100);

        Assert.Equal(@"user:eve\x0a\x1b[2J" + new string('x', 100), AuditText.Printable(record));
    }
}
