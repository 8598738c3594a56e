using System.Security.Cryptography;
using Conclave.Crypto.Escrow;
using Conclave.Crypto.Hpke;

namespace Conclave.Crypto.Tests.Escrow;

/// <summary>Escrowed epochs with recognisable contents.</summary>
internal static class EscrowSamples
{
    public static readonly byte[] RecordingId = Convert.FromHexString("00112233445566778899AABBCCDDEEFF");

    public static EscrowedEpoch Epoch(ulong epoch = 42, bool withDataKey = true)
    {
        using var member1 = new SoftwareHpkeRecipient();
        using var member4 = new SoftwareHpkeRecipient();
        return new EscrowedEpoch(
            RecordingId,
            GroupId: RandomNumberGenerator.GetBytes(32),
            Epoch: epoch,
            SFrameEpochSecret: RandomNumberGenerator.GetBytes(16),
            DataKey: withDataKey ? RandomNumberGenerator.GetBytes(16) : [],
            EpochAuthenticator: RandomNumberGenerator.GetBytes(32),
            LeafCount: 5,
            Roster:
            [
                new RosterEntry(1, RandomNumberGenerator.GetBytes(150), member1.PublicKey),
                new RosterEntry(4, RandomNumberGenerator.GetBytes(20), member4.PublicKey),
            ]);
    }

    /// <summary>The fields of two epochs are equal, byte for byte (records compare arrays by reference).</summary>
    public static void AssertSame(EscrowedEpoch expected, EscrowedEpoch actual)
    {
        Assert.Equal(expected.RecordingId, actual.RecordingId);
        Assert.Equal(expected.GroupId, actual.GroupId);
        Assert.Equal(expected.Epoch, actual.Epoch);
        Assert.Equal(expected.SFrameEpochSecret, actual.SFrameEpochSecret);
        Assert.Equal(expected.DataKey, actual.DataKey);
        Assert.Equal(expected.EpochAuthenticator, actual.EpochAuthenticator);
        Assert.Equal(expected.LeafCount, actual.LeafCount);
        Assert.Equal(expected.Roster.Count, actual.Roster.Count);
        for (int i = 0; i < expected.Roster.Count; i++)
        {
            Assert.Equal(expected.Roster[i].Leaf, actual.Roster[i].Leaf);
            Assert.Equal(expected.Roster[i].Credential, actual.Roster[i].Credential);
            Assert.Equal(expected.Roster[i].SignatureKey, actual.Roster[i].SignatureKey);
        }
    }
}
