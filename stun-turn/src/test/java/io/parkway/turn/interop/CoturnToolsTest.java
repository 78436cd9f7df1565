package io.parkway.turn.interop;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.parkway.testing.CoturnTools;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** Missing coturn tools skip the interop tests on a developer machine and fail them in CI. */
class CoturnToolsTest {

    @Test
    void missingToolsSkipOutsideCi(@TempDir Path emptyBin) {
        TestAbortedException e = assertThrows(TestAbortedException.class, () -> CoturnTools.require(emptyBin, null));
        assertTrue(e.getMessage().contains("turnutils_uclient"), e.getMessage());
        assertThrows(TestAbortedException.class, () -> CoturnTools.require(emptyBin, "false"));
    }

    @Test
    void missingToolsFailInCi(@TempDir Path emptyBin) {
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> CoturnTools.require(emptyBin, "true"));
        assertTrue(e.getMessage().contains("CI=true"), e.getMessage());
    }
}
