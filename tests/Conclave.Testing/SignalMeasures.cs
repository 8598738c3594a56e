namespace Conclave.Testing;

/// <summary>How alike two pictures are, and which tone a sound holds: to check exported media against its source.</summary>
public static class SignalMeasures
{
    private const int Window = 8;
    private const double C1 = 0.01 * 255 * 0.01 * 255; // (K1·L)², Wang et al. 2004, L = 255
    private const double C2 = 0.03 * 255 * 0.03 * 255; // (K2·L)²

    /// <summary>Mean SSIM over non-overlapping 8×8 windows of two luma pictures of the same size (Wang, Bovik, Sheikh, Simoncelli 2004).</summary>
    public static double Ssim(byte[] a, byte[] b, int width, int height)
    {
        double sum = 0;
        int windows = 0;
        for (int y = 0; y + Window <= height; y += Window)
        {
            for (int x = 0; x + Window <= width; x += Window)
            {
                double meanA = 0, meanB = 0;
                for (int j = 0; j < Window; j++)
                {
                    for (int i = 0; i < Window; i++)
                    {
                        meanA += a[(y + j) * width + x + i];
                        meanB += b[(y + j) * width + x + i];
                    }
                }
                meanA /= Window * Window;
                meanB /= Window * Window;
                double varianceA = 0, varianceB = 0, covariance = 0;
                for (int j = 0; j < Window; j++)
                {
                    for (int i = 0; i < Window; i++)
                    {
                        double da = a[(y + j) * width + x + i] - meanA, db = b[(y + j) * width + x + i] - meanB;
                        varianceA += da * da;
                        varianceB += db * db;
                        covariance += da * db;
                    }
                }
                int n = Window * Window - 1;
                varianceA /= n;
                varianceB /= n;
                covariance /= n;
                sum += (2 * meanA * meanB + C1) * (2 * covariance + C2) / ((meanA * meanA + meanB * meanB + C1) * (varianceA + varianceB + C2));
                windows++;
            }
        }
        return sum / windows;
    }

    /// <summary>The frequency between <paramref name="fromHz"/> and <paramref name="toHz"/> with the most energy, to 0.5 Hz (Goertzel's algorithm at each step).</summary>
    public static double DominantFrequencyHz(ReadOnlySpan<short> samples, int sampleRate, double fromHz, double toHz)
    {
        double best = fromHz, bestPower = -1;
        for (double hz = fromHz; hz <= toHz; hz += 0.5)
        {
            double power = GoertzelPower(samples, sampleRate, hz);
            if (power > bestPower)
            {
                bestPower = power;
                best = hz;
            }
        }
        return best;
    }

    private static double GoertzelPower(ReadOnlySpan<short> samples, int sampleRate, double hz)
    {
        double coefficient = 2 * Math.Cos(2 * Math.PI * hz / sampleRate), previous = 0, beforePrevious = 0;
        foreach (short sample in samples)
        {
            double current = sample + coefficient * previous - beforePrevious;
            beforePrevious = previous;
            previous = current;
        }
        return previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious;
    }
}
