package io.tvkraken;
public class Application { public static void main(String[] a) {} }
