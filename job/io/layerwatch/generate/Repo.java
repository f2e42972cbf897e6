package io.layerwatch.generate;

import java.util.ArrayList;
import java.util.List;

/**
 * An ECR repository of the generated organization and its images. Images are a pure function of the
 * repository and a version number (digests hashed from names), so any version can be named without
 * storing it: version {@code v}'s top layer is new, lower layers change every few versions, and the
 * base image's layers are shared by every repository built on it. {@link #version} is the current
 * one; CI pushes advance it.
 */
final class Repo {
    final String name;

    /** Region CI pushes to; replication copies the images to the other regions and accounts. */
    final String home;

    final List<String> regions;
    final Repo base;
    final int appLayers;

    /** Scanned by Inspector (enhanced) rather than ECR basic scanning. */
    final boolean enhanced;

    final String team;
    int version;

    Repo(
            String name,
            String home,
            List<String> regions,
            Repo base,
            int appLayers,
            boolean enhanced,
            String team,
            int version) {
        this.name = name;
        this.home = home;
        this.regions = List.copyOf(regions);
        this.base = base;
        this.appLayers = appLayers;
        this.enhanced = enhanced;
        this.team = team;
        this.version = version;
    }

    /** Layer digests of version {@code v}, bottom first (at most 12: base 2-4 plus app 2-8). */
    List<String> layers(int v) {
        List<String> out =
                base == null ? new ArrayList<>() : new ArrayList<>(base.layers(base.version));
        for (int j = 0; j < appLayers; j++) {
            int period = j == appLayers - 1 ? 1 : 1 << Math.min(6, 2 * (appLayers - 1 - j));
            out.add(Ids.sha256(Ids.hash(name, v - Math.floorMod(v, period), j)));
        }
        return out;
    }

    /**
     * Digests of version {@code v}'s layers that version {@code v - 1} did not have (what a push
     * uploads).
     */
    List<String> newLayers(int v) {
        List<String> out = new ArrayList<>(layers(v));
        out.removeAll(layers(v - 1));
        return out;
    }

    String digest(int v) {
        return Ids.sha256(Ids.hash(name, v, -1));
    }

    String tag(int v) {
        return "v1." + (v / 20) + "." + (v % 20);
    }

    boolean in(String region) {
        return regions.contains(region);
    }

    @Override
    public String toString() {
        return name;
    }
}
