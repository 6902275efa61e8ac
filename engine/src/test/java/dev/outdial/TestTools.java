package dev.outdial;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Debian tools the SIP tests run (sipp, espeak-ng, sox). `.ci/run` installs them; when one is
 * missing and this process may install packages (root with apt-get), it is installed once here, so
 * `./mvnw verify` works on a fresh machine too. Otherwise the test fails saying what to install.
 */
public final class TestTools {
    private TestTools() {
    }

    public static synchronized void require(String command, String debianPackage) {
        if (onPath(command)) return;
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root && onPath("apt-get")) {
            run("apt-get", "update", "-qq");
            run("apt-get", "install", "-y", "-qq", debianPackage);
        }
        if (!onPath(command)) {
            throw new AssertionError(command + " is needed by the SIP tests and is not installed: apt-get install " + debianPackage);
        }
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, command))) return true;
        }
        return false;
    }

    private static void run(String... cmd) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
            pb.start().waitFor();
        } catch (IOException e) {
            throw new AssertionError("could not run " + String.join(" ", cmd), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
