using System.Security.Cryptography;

namespace Conclave.Crypto.Audit;

/// <summary>The verdict on an audit log: intact, or the first place it is broken.</summary>
public sealed record AuditVerification(bool Intact, long RecordsVerified, long? BrokenAtLine, string Message);

/// <summary>
/// Checks the whole chain: each record's hash, each link to the record before, the
/// sequence without gaps, every checkpoint's signature, and that a signed checkpoint
/// closes the log (and matches the anchor when one is given). Reports the first break:
/// an edit shows at the edited record, a deletion, insertion or swap at the first
/// record out of place, a truncation at the end.
/// </summary>
public static class AuditVerifier
{
    public static AuditVerification Verify(string path, byte[] auditPublicKeySpki, AuditAnchor? anchor = null) =>
        Verify(path, [auditPublicKeySpki], anchor);

    /// <summary>Verifies with every audit key the token has held: checkpoints written before a rotation used an older key.</summary>
    public static AuditVerification Verify(string path, IReadOnlyList<byte[]> auditPublicKeys, AuditAnchor? anchor = null)
    {
        if (!File.Exists(path)) return new AuditVerification(false, 0, null, $"{path} does not exist");
        var verifiers = auditPublicKeys.Select(spki =>
        {
            var key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(spki, out _);
            return key;
        }).ToList();
        try
        {
            return VerifyLines(path, verifiers, anchor);
        }
        finally
        {
            verifiers.ForEach(v => v.Dispose());
        }
    }

    private static AuditVerification VerifyLines(string path, List<ECDsa> verifiers, AuditAnchor? anchor)
    {
        string previous = AuditFormat.GenesisHash;
        long expectedSequence = 1;
        int lineNumber = 0;
        AuditLine? lastCheckpoint = null, last = null;
        foreach (string text in File.ReadLines(path))
        {
            lineNumber++;
            if (text.Length == 0) return Broken(lineNumber, expectedSequence - 1, "an empty line (inserted, or a record was blanked)");
            if (!AuditFormat.TryParse(text, lineNumber, out var line, out var error)) return Broken(lineNumber, expectedSequence - 1, error!);
            var record = line!.Record;
            if (AuditFormat.HashOf(line.Body) != line.Hash) return Broken(lineNumber, expectedSequence - 1, $"record {record.Sequence} does not match its hash: it was edited");
            if (record.Sequence != expectedSequence) return Broken(lineNumber, expectedSequence - 1, $"record {record.Sequence} stands where record {expectedSequence} belongs: records were deleted, inserted or reordered");
            if (record.Previous != previous) return Broken(lineNumber, expectedSequence - 1, $"record {record.Sequence} does not follow record {record.Sequence - 1}: the chain is broken here");
            if (record.Kind == AuditRecord.CheckpointKind)
            {
                bool signed = line.Signature is not null && verifiers.Any(verifier => TryVerify(verifier, line));
                if (!signed) return Broken(lineNumber, expectedSequence - 1, $"checkpoint {record.Sequence} has no valid signature by the audit key");
                lastCheckpoint = line;
            }
            else if (line.Signature is not null)
            {
                return Broken(lineNumber, expectedSequence - 1, $"record {record.Sequence} carries a signature but is not a checkpoint");
            }
            previous = line.Hash;
            expectedSequence++;
            last = line;
        }
        long verified = expectedSequence - 1;
        if (last is null) return new AuditVerification(false, 0, null, "the log is empty");
        if (last.Record.Kind != AuditRecord.CheckpointKind)
        {
            return Broken(lineNumber + 1, verified, $"the log ends at record {last.Record.Sequence} with no signed checkpoint after it: truncated, or the daemon did not stop cleanly");
        }
        if (anchor is not null && (anchor.Sequence > lastCheckpoint!.Record.Sequence || !Contains(path, anchor)))
        {
            return Broken(lineNumber + 1, verified, $"the log lacks checkpoint {anchor.Sequence}, the last one on record: truncated");
        }
        return new AuditVerification(true, verified, null, $"intact: {verified} records, last checkpoint at record {lastCheckpoint!.Record.Sequence}");
    }

    private static bool Contains(string path, AuditAnchor anchor)
    {
        foreach (string text in File.ReadLines(path))
        {
            if (AuditFormat.TryParse(text, 0, out var line, out _) && line!.Record.Kind == AuditRecord.CheckpointKind
                && line.Record.Sequence == anchor.Sequence && line.Hash == anchor.Hash) return true;
        }
        return false;
    }

    private static bool TryVerify(ECDsa verifier, AuditLine line)
    {
        try
        {
            return verifier.VerifyData(Convert.FromHexString(line.Hash), Convert.FromBase64String(line.Signature!), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static AuditVerification Broken(int lineNumber, long verified, string message) =>
        new(false, verified, lineNumber, $"line {lineNumber}: {message}");
}
