using System.Globalization;
using System.Text.RegularExpressions;

namespace Conclave.Meetings;

/// <summary>The limits every form and API shares; each check throws a <see cref="DomainException"/> saying what is wrong.</summary>
public static partial class Validation
{
    public const int MaxUserNameLength = 64;
    public const int MaxDisplayNameLength = 64;
    public const int MaxTitleLength = 120;
    public const int MaxRosterSize = 100;
    public const int MaxPasscodeLength = 64;

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{2,63}$")]
    private static partial Regex UserNamePattern();

    public static string UserName(string? value)
    {
        string name = (value ?? "").Trim().ToLowerInvariant();
        if (!UserNamePattern().IsMatch(name))
        {
            throw DomainException.Invalid($"A user name has 3–{MaxUserNameLength} characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit.");
        }
        return name;
    }

    public static string DisplayName(string? value) => Text(value, "A display name", MaxDisplayNameLength);

    public static string Title(string? value) => Text(value, "A title", MaxTitleLength);

    /// <summary>Printable text without control characters, trimmed, 1 to <paramref name="max"/> characters.</summary>
    private static string Text(string? value, string what, int max)
    {
        string text = (value ?? "").Trim();
        if (text.Length == 0) throw DomainException.Invalid($"{what} is required.");
        if (text.Length > max) throw DomainException.Invalid($"{what} has at most {max} characters (this one has {text.Length}).");
        foreach (char c in text)
        {
            var category = char.GetUnicodeCategory(c);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                throw DomainException.Invalid($"{what} may not contain control characters.");
            }
        }
        return text;
    }
}
