package io.layerwatch.config;

/**
 * A MITRE ATT&CK (Enterprise) technique and the tactic it serves in a rule, as findings carry it:
 * {@code {"technique": "T1537", "name": "Transfer Data to Cloud Account", "tactic": "TA0010",
 * "tacticName": "Exfiltration"}}. A sub-technique (T1078.004) is named as ATT&CK shows it, parent
 * first: "Valid Accounts: Cloud Accounts".
 */
public record AttackTechnique(String technique, String name, String tactic, String tacticName) {

    /** The ATT&CK release the ids and names are taken from. */
    public static final String ATTACK_VERSION = "16.1";

    public boolean subTechnique() {
        return technique != null && technique.indexOf('.') > 0;
    }

    /** T1078 for T1078.004; the technique itself when it is no sub-technique. */
    public String parentTechnique() {
        return subTechnique() ? technique.substring(0, technique.indexOf('.')) : technique;
    }

    /**
     * "Valid Accounts" for "Valid Accounts: Cloud Accounts"; the name itself when it is no
     * sub-technique.
     */
    public String parentName() {
        int colon = name == null ? -1 : name.indexOf(": ");
        return subTechnique() && colon > 0 ? name.substring(0, colon) : name;
    }

    /** "Cloud Accounts" for "Valid Accounts: Cloud Accounts"; null when it is no sub-technique. */
    public String subTechniqueName() {
        int colon = name == null ? -1 : name.indexOf(": ");
        return subTechnique() && colon > 0 ? name.substring(colon + 2) : null;
    }

    /** "T1530 Data from Cloud Storage (Collection)". */
    public String label() {
        return technique + " " + name + " (" + tacticName + ")";
    }
}
