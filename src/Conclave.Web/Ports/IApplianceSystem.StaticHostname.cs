namespace Conclave.Web.Ports;

/// <summary>
/// What may be set as the static host name: labels of letters, digits and hyphens, 1–63 characters,
/// neither starting nor ending with a hyphen (RFC 1123 §2.1 over RFC 952), joined by dots, at most
/// <see cref="MaxLength"/> characters in all (Linux's HOST_NAME_MAX, which systemd-hostnamed enforces).
/// Checked before any call, so a refusal is a sentence rather than a D-Bus error.
/// </summary>
public static class StaticHostname
{
    public const int MaxLength = 64;

    public const int MaxLabelLength = 63;

    /// <summary>Null when <paramref name="name"/> may be set; otherwise why not, for the page.</summary>
    public static string? Check(string? name)
    {
        if (string.IsNullOrEmpty(name)) return "Enter a host name.";
        if (name.Length > MaxLength) return $"A host name has at most {MaxLength} characters; this one has {name.Length}.";
        foreach (var label in name.Split('.'))
        {
            if (label.Length == 0) return "A host name has no empty part: no leading, trailing or double dot.";
            if (label.Length > MaxLabelLength) return $"Each dot-separated part of a host name has at most {MaxLabelLength} characters.";
            if (label[0] == '-' || label[^1] == '-') return "A part of a host name neither starts nor ends with a hyphen.";
            foreach (char c in label)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c != '-') return "A host name holds only ASCII letters, digits, hyphens and dots.";
            }
        }
        return null;
    }
}
