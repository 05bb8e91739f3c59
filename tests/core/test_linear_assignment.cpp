// Linear assignment (Jonker–Volgenant shortest augmenting path) against brute
// force over every permutation: random matrices n ≤ 8 for many seeds, integer
// matrices full of ties, negative and mixed-sign entries, both minimization
// and maximization; degenerate sizes and bad input.

#include <algorithm>
#include <cmath>
#include <numeric>

#include "BasinTest.h"
#include "connectivity/LinearAssignment.h"
#include "util/Pcg32.h"

using namespace basin;

namespace {

// The optimum of Σ_i M[i, σ(i)] over all n! permutations.
double bruteForce(const Eigen::MatrixXd& m, bool maximize) {
    std::vector<int> sigma(std::size_t(m.rows()));
    std::iota(sigma.begin(), sigma.end(), 0);
    double best = maximize ? -INFINITY : INFINITY;
    do {
        double total = 0.0;
        for (Eigen::Index i = 0; i < m.rows(); ++i)
            total += m(i, sigma[std::size_t(i)]);
        best = maximize ? std::max(best, total) : std::min(best, total);
    } while (std::next_permutation(sigma.begin(), sigma.end()));
    return best;
}

bool isPermutation(const std::vector<std::int64_t>& sigma) {
    std::vector<std::int64_t> sorted = sigma;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < sorted.size(); ++i)
        if (sorted[i] != std::int64_t(i)) return false;
    return true;
}

// The assignment is a permutation, its total is what it claims, and it is optimal.
void checkAgainstBruteForce(const Eigen::MatrixXd& m, const QString& what) {
    for (const bool maximize : {false, true}) {
        const Assignment a = maximize ? maximumWeightAssignment(m) : minimumCostAssignment(m);
        QVERIFY2(isPermutation(a.columnOfRow), qPrintable(what));
        double total = 0.0;
        for (Eigen::Index i = 0; i < m.rows(); ++i)
            total += m(i, a.columnOfRow[std::size_t(i)]);
        QVERIFY2(std::abs(total - a.total) <= 1e-9 * (1.0 + std::abs(total)), qPrintable(what));
        const double best = bruteForce(m, maximize);
        QVERIFY2(std::abs(total - best) <= 1e-9 * (1.0 + std::abs(best)),
                 qPrintable(QString("%1 (%2): assignment %3, brute force %4")
                                .arg(what, maximize ? "max" : "min")
                                .arg(total, 0, 'g', 17)
                                .arg(best, 0, 'g', 17)));
    }
}

}  // namespace

class TestLinearAssignment : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void randomMatricesEqualBruteForce() {
        for (std::uint64_t seed = 0; seed < 300; ++seed) {
            Pcg32 rng(seed);
            const Eigen::Index n = 1 + Eigen::Index(seed % 8);
            Eigen::MatrixXd m(n, n);
            for (Eigen::Index i = 0; i < n; ++i)
                for (Eigen::Index j = 0; j < n; ++j)
                    m(i, j) = rng.uniform(0.0, 1.0);
            checkAgainstBruteForce(m, QString("uniform n=%1 seed %2").arg(n).arg(seed));
        }
    }

    void negativeAndMixedSignEntries() {
        for (std::uint64_t seed = 0; seed < 200; ++seed) {
            Pcg32 rng(seed, 1);
            const Eigen::Index n = 2 + Eigen::Index(seed % 7);
            Eigen::MatrixXd m(n, n);
            const double shift = seed % 2 ? -100.0 : 0.0;  // all negative, or mixed
            for (Eigen::Index i = 0; i < n; ++i)
                for (Eigen::Index j = 0; j < n; ++j)
                    m(i, j) = shift + rng.normal(0.0, 10.0);
            checkAgainstBruteForce(m, QString("normal n=%1 seed %2").arg(n).arg(seed));
        }
    }

    void tiesEqualBruteForce() {
        // Small integers: many optimal permutations and equal reduced costs.
        for (std::uint64_t seed = 0; seed < 200; ++seed) {
            Pcg32 rng(seed, 2);
            const Eigen::Index n = 2 + Eigen::Index(seed % 7);
            Eigen::MatrixXd m(n, n);
            for (Eigen::Index i = 0; i < n; ++i)
                for (Eigen::Index j = 0; j < n; ++j)
                    m(i, j) = double(rng.below(3)) - 1.0;
            checkAgainstBruteForce(m, QString("ties n=%1 seed %2").arg(n).arg(seed));
        }
        checkAgainstBruteForce(Eigen::MatrixXd::Zero(6, 6), "all zero");
        checkAgainstBruteForce(Eigen::MatrixXd::Constant(5, 5, -3.5), "constant");
        // Rank one: every permutation of a·bᵀ with sorted a, b is a candidate.
        Eigen::VectorXd a(6), b(6);
        a << 1, 2, 2, 3, 3, 3;
        b << -1, 0, 0, 1, 1, 2;
        checkAgainstBruteForce(a * b.transpose(), "rank one");
    }

    void recoversAPermutationOfTheIdentity() {
        // Maximum weight on a permuted identity-dominant matrix is that permutation.
        const std::vector<std::int64_t> sigma{3, 0, 4, 1, 2};
        Eigen::MatrixXd m = Eigen::MatrixXd::Constant(5, 5, 0.1);
        for (std::size_t i = 0; i < sigma.size(); ++i)
            m(Eigen::Index(i), sigma[i]) = 1.0;
        QCOMPARE(maximumWeightAssignment(m).columnOfRow, sigma);
        QCOMPARE(minimumCostAssignment(-m).columnOfRow, sigma);
    }

    void largeRandomIsPairExchangeOptimal() {
        // n = 512: no brute force; the optimum is at least as good as the
        // identity and as any single swap of the result (2-opt), and the duals'
        // optimality shows in that no pair exchange improves the total.
        Pcg32 rng(7);
        const Eigen::Index n = 512;
        Eigen::MatrixXd m(n, n);
        for (Eigen::Index i = 0; i < n; ++i)
            for (Eigen::Index j = 0; j < n; ++j)
                m(i, j) = rng.uniform();
        const Assignment a = minimumCostAssignment(m);
        QVERIFY(isPermutation(a.columnOfRow));
        QVERIFY(a.total <= m.trace());
        // The expected optimum of a uniform n×n problem tends to π²/6 (Aldous).
        QVERIFY2(a.total > 1.4 && a.total < 1.9, qPrintable(QString::number(a.total)));
        const auto& s = a.columnOfRow;
        for (Eigen::Index i = 0; i < n; i += 7)
            for (Eigen::Index k = i + 1; k < n; k += 5) {
                const double now = m(i, s[std::size_t(i)]) + m(k, s[std::size_t(k)]);
                const double swapped = m(i, s[std::size_t(k)]) + m(k, s[std::size_t(i)]);
                QVERIFY(swapped >= now - 1e-12);
            }
    }

    void degenerateSizesAndBadInput() {
        QVERIFY(minimumCostAssignment(Eigen::MatrixXd(0, 0)).columnOfRow.empty());
        Eigen::MatrixXd one(1, 1);
        one << -2.5;
        const Assignment a = maximumWeightAssignment(one);
        QCOMPARE(a.columnOfRow, std::vector<std::int64_t>{0});
        QCOMPARE(a.total, -2.5);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 minimumCostAssignment(Eigen::MatrixXd::Zero(2, 3)));
        Eigen::MatrixXd bad = Eigen::MatrixXd::Zero(3, 3);
        bad(1, 2) = std::nan("");
        try {
            minimumCostAssignment(bad);
            QFAIL("a NaN entry was accepted");
        } catch (const std::invalid_argument& e) {
            QVERIFY2(QString(e.what()).contains("(1, 2)"), e.what());
        }
    }
};

BASIN_TEST_MAIN(TestLinearAssignment)
#include "test_linear_assignment.moc"
