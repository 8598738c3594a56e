using System.Runtime.InteropServices;

namespace Conclave.Media.Tests.Srtp;

/// <summary>
/// The few libsrtp 2.5 calls the interop tests need (Debian's libsrtp2-1). Debian builds
/// it with its own crypto, without GCM, so it checks the AES_CM_128_HMAC_SHA1_80 profile.
/// </summary>
internal static class LibSrtp
{
    private const string Library = "libsrtp2.so.1";

    private static readonly Lazy<int> Initialized = new(Init);

    public const int SsrcAnyInbound = 2;
    public const int SsrcAnyOutbound = 3;

    /// <summary>srtp_crypto_policy_t: cipher type, key length, auth type, auth key length, tag length, services.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct CryptoPolicy
    {
        public uint CipherType;
        public int CipherKeyLength;
        public uint AuthType;
        public int AuthKeyLength;
        public int AuthTagLength;
        public int SecurityServices;
    }

    /// <summary>srtp_policy_t of srtp2/srtp.h (x86_64 layout).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Policy
    {
        public int SsrcType;
        public uint SsrcValue;
        public CryptoPolicy Rtp;
        public CryptoPolicy Rtcp;
        public IntPtr Key;
        public IntPtr Keys;
        public ulong NumMasterKeys;
        public IntPtr DeprecatedEkt;
        public ulong WindowSize;
        public int AllowRepeatTx;
        public IntPtr EncryptedHeaderIds;
        public int EncryptedHeaderIdCount;
        public IntPtr Next;
    }

    [DllImport(Library, EntryPoint = "srtp_init")]
    public static extern int Init();

    [DllImport(Library, EntryPoint = "srtp_crypto_policy_set_rtp_default")]
    public static extern void SetRtpDefault(ref CryptoPolicy policy);

    [DllImport(Library, EntryPoint = "srtp_crypto_policy_set_rtcp_default")]
    public static extern void SetRtcpDefault(ref CryptoPolicy policy);

    [DllImport(Library, EntryPoint = "srtp_create")]
    public static extern int Create(out IntPtr session, ref Policy policy);

    [DllImport(Library, EntryPoint = "srtp_dealloc")]
    public static extern int Dealloc(IntPtr session);

    [DllImport(Library, EntryPoint = "srtp_protect")]
    public static extern int Protect(IntPtr session, byte[] packet, ref int length);

    [DllImport(Library, EntryPoint = "srtp_unprotect")]
    public static extern int Unprotect(IntPtr session, byte[] packet, ref int length);

    [DllImport(Library, EntryPoint = "srtp_protect_rtcp")]
    public static extern int ProtectRtcp(IntPtr session, byte[] packet, ref int length);

    [DllImport(Library, EntryPoint = "srtp_unprotect_rtcp")]
    public static extern int UnprotectRtcp(IntPtr session, byte[] packet, ref int length);

    /// <summary>A libsrtp session for AES_CM_128_HMAC_SHA1_80 with <paramref name="keyAndSalt"/> (30 bytes).</summary>
    public static IntPtr CreateSession(byte[] keyAndSalt, bool outbound)
    {
        Assert.Equal(0, Initialized.Value); // srtp_init answers "bad param" when called twice
        var policy = new Policy { SsrcType = outbound ? SsrcAnyOutbound : SsrcAnyInbound, WindowSize = 128 };
        SetRtpDefault(ref policy.Rtp);
        SetRtcpDefault(ref policy.Rtcp);
        var key = Marshal.AllocHGlobal(keyAndSalt.Length);
        try
        {
            Marshal.Copy(keyAndSalt, 0, key, keyAndSalt.Length);
            policy.Key = key;
            Assert.Equal(0, Create(out var session, ref policy));
            return session;
        }
        finally
        {
            Marshal.FreeHGlobal(key);
        }
    }
}
