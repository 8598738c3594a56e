using System.Security.Cryptography;

namespace Conclave.Media.Srtp;

/// <summary>
/// The SRTP key derivation function (RFC 3711 §4.3) with key derivation rate 0: the
/// AES-CM PRF keyed by the master key, over x = (label ‖ 0⁴⁸) XOR master salt.
/// </summary>
public static class SrtpKeyDerivation
{
    /// <summary>Labels of RFC 3711 §4.3.1 (RTP) and §4.3.2 (RTCP).</summary>
    public const byte RtpEncryption = 0x00, RtpAuthentication = 0x01, RtpSalt = 0x02;
    public const byte RtcpEncryption = 0x03, RtcpAuthentication = 0x04, RtcpSalt = 0x05;

    /// <summary>
    /// Derives <paramref name="output"/>.Length bytes for <paramref name="label"/>.
    /// A 96-bit GCM master salt is left-aligned in the 112-bit field, zero-padded
    /// (RFC 7714 §11 uses the same KDF).
    /// </summary>
    public static void Derive(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, byte label, Span<byte> output)
    {
        // x: the 112-bit salt XOR key_id, where key_id = label ‖ r (r = index DIV kdr = 0)
        // sits in the low 56 bits: the label lands in byte 7 of 14.
        Span<byte> counter = stackalloc byte[16];
        counter.Clear();
        masterSalt.CopyTo(counter);
        counter[7] ^= label;
        int blocks = (output.Length + 15) / 16;
        Span<byte> input = stackalloc byte[blocks * 16];
        for (int block = 0; block < blocks; block++)
        {
            // IV = x · 2¹⁶: the last two bytes count blocks.
            counter[14] = (byte)(block >> 8);
            counter[15] = (byte)block;
            counter.CopyTo(input[(block * 16)..]);
        }
        Span<byte> keystream = stackalloc byte[blocks * 16];
        using var aes = Aes.Create();
        aes.Key = masterKey.ToArray();
        aes.EncryptEcb(input, keystream, PaddingMode.None);
        keystream[..output.Length].CopyTo(output);
    }
}
