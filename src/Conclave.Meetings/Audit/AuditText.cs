using System.Globalization;
using System.Text;

namespace Conclave.Meetings.Audit;

/// <summary>
/// Keeps every audit field one printable line. Text a request brings before anyone is
/// authenticated (a typed user name, a path, a meeting id, the source address) is cut to
/// <see cref="MaxUntrustedLength"/> characters and escaped, so it can neither fill the log
/// nor forge a line, a colour or a reordering in a terminal, the journal or the console:
/// control characters (C0, DEL, C1), format characters (bidirectional overrides, zero-width),
/// line and paragraph separators and lone surrogates become <c>\xNN</c>, <c>\uNNNN</c> or
/// <c>\UNNNNNNNN</c>. Those are exactly what <see cref="Validation"/> refuses in names and
/// titles, so text the appliance checked or made itself passes unchanged.
/// </summary>
public static class AuditText
{
    /// <summary>As long as the longest user name (<see cref="Validation.MaxUserNameLength"/>); longer untrusted text is cut, and "…" marks the cut.</summary>
    public const int MaxUntrustedLength = Validation.MaxUserNameLength;

    /// <summary>
    /// Cut to <see cref="MaxUntrustedLength"/> characters, a backslash doubled and
    /// non-printables escaped: one printable line from which typed text and an escape can be
    /// told apart.
    /// </summary>
    public static string Untrusted(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        int length = Math.Min(text.Length, MaxUntrustedLength);
        if (length < text.Length && char.IsHighSurrogate(text[length - 1])) length--;
        var span = text.AsSpan(0, length);
        bool cut = length < text.Length;
        if (!cut && IsPrintable(span, escapesBackslash: true)) return text;
        var line = new StringBuilder(length + 16);
        Escape(span, line, escapesBackslash: true);
        if (cut) line.Append('…');
        return line.ToString();
    }

    /// <summary>
    /// Non-printables escaped, everything else (backslashes too) as is: for text the
    /// appliance composed, and for showing records whatever wrote them.
    /// </summary>
    public static string Printable(string text)
    {
        if (IsPrintable(text, escapesBackslash: false)) return text;
        var line = new StringBuilder(text.Length + 16);
        Escape(text, line, escapesBackslash: false);
        return line.ToString();
    }

    private static bool IsPrintable(ReadOnlySpan<char> text, bool escapesBackslash)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (escapesBackslash && text[i] == '\\') return false;
            if (NeedsEscape(text, ref i)) return false;
        }
        return true;
    }

    private static void Escape(ReadOnlySpan<char> text, StringBuilder line, bool escapesBackslash)
    {
        for (int i = 0; i < text.Length; i++)
        {
            int start = i;
            if (escapesBackslash && text[i] == '\\') line.Append(@"\\");
            else if (!NeedsEscape(text, ref i)) line.Append(text[start..(i + 1)]);
            else if (i > start) line.Append(CultureInfo.InvariantCulture, $"\\U{char.ConvertToUtf32(text[start], text[i]):x8}");
            else if (text[i] <= '\u00ff') line.Append(CultureInfo.InvariantCulture, $"\\x{(int)text[i]:x2}");
            else line.Append(CultureInfo.InvariantCulture, $"\\u{(int)text[i]:x4}");
        }
    }

    /// <summary>Whether the character at <paramref name="i"/> (a surrogate pair: <paramref name="i"/> moves to its second half) must be escaped.</summary>
    private static bool NeedsEscape(ReadOnlySpan<char> text, ref int i)
    {
        UnicodeCategory category;
        if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
        {
            category = CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(text[i], text[i + 1]));
            i++;
        }
        else
        {
            category = char.GetUnicodeCategory(text[i]);
        }
        return category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate;
    }
}
