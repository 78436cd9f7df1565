package io.parkway.signaling;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The web demo's files from a classpath folder. Pages: {@code /} is {@code index.html}, {@code /speak/{room}} is
 * {@code speak.html}, {@code /listen/{room}} is {@code listen.html}, {@code /selftest} is {@code selftest.html}; any
 * other path is the file under the folder when it exists and has a known type. Paths with {@code .} or {@code ..}
 * segments, backslashes or control characters are refused. Files are read once and kept (they live in a jar).
 */
final class StaticFiles {

    /** A file to serve. */
    record File(byte[] content, String contentType) {
    }

    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("json", "application/json; charset=utf-8"),
            Map.entry("map", "application/json; charset=utf-8"),
            Map.entry("webmanifest", "application/manifest+json; charset=utf-8"),
            Map.entry("txt", "text/plain; charset=utf-8"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"),
            Map.entry("webp", "image/webp"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("wav", "audio/wav"),
            Map.entry("mp3", "audio/mpeg"),
            Map.entry("ogg", "audio/ogg"),
            Map.entry("woff", "font/woff"),
            Map.entry("woff2", "font/woff2"));

    private final String prefix;
    private final ClassLoader loader;
    private final ConcurrentHashMap<String, File> cache = new ConcurrentHashMap<>();

    StaticFiles(String prefix, ClassLoader loader) {
        this.prefix = prefix;
        this.loader = loader;
    }

    /** The file for a decoded request path, or null (not found, unknown type, or refused). */
    File find(String path) {
        String name = fileName(path);
        if (name == null) {
            return null;
        }
        File cached = cache.get(name);
        if (cached != null) {
            return cached;
        }
        File file = load(name);
        if (file != null) {
            cache.putIfAbsent(name, file);
        }
        return file;
    }

    /** The file under the prefix that serves {@code path}, or null when the path is refused. */
    static String fileName(String path) {
        if (path.equals("/") || path.equals("/index.html")) {
            return "index.html";
        }
        if (path.equals("/selftest") || path.equals("/selftest/")) {
            return "selftest.html";
        }
        String page = page(path, "/speak/", "speak.html");
        if (page == null) {
            page = page(path, "/listen/", "listen.html");
        }
        if (page != null) {
            return page;
        }
        if (!path.startsWith("/") || path.length() == 1) {
            return null;
        }
        String relative = path.substring(1);
        for (String segment : relative.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return null;
            }
        }
        for (int i = 0; i < relative.length(); i++) {
            char c = relative.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\\' || c == ':') {
                return null;
            }
        }
        return contentType(relative) == null ? null : relative;
    }

    private static String page(String path, String start, String file) {
        if (!path.startsWith(start)) {
            return null;
        }
        String room = path.substring(start.length());
        if (room.endsWith("/")) {
            room = room.substring(0, room.length() - 1);
        }
        return SignalingMessages.ROOM_NAME.matcher(room).matches() ? file : null;
    }

    static String contentType(String name) {
        int dot = name.lastIndexOf('.');
        int slash = name.lastIndexOf('/');
        if (dot < 0 || dot < slash) {
            return null;
        }
        return TYPES.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private File load(String name) {
        URL url = loader.getResource(prefix + name);
        if (url == null) {
            return null;
        }
        try (InputStream in = url.openStream()) {
            return new File(in.readAllBytes(), contentType(name));
        } catch (IOException e) {
            // A directory with a file-like name, or an unreadable resource: not served.
            return null;
        }
    }
}
